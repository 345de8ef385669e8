"""A citizen gives their place by name: types 徐汇, picks 上海市 › 徐汇区 and signs a petition."""

import secrets
from datetime import timedelta

import pytest
from django.utils import timezone

from petitions.models import Petition, PetitionStatus, Signature

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_petition(db, citizen):
    from regions.selectors import forget_region_index
    from regions.services import GB2260_CSV, load_regions, read_region_rows

    load_regions(row for row in read_region_rows(GB2260_CSV) if row.code[:2] in {"00", "11", "31"})
    forget_region_index()
    now = timezone.now()
    yield Petition.objects.create(
        creator=citizen,
        title="在徐汇区增设无障碍公交站台",
        action="请在主要公交线路增设无障碍站台和盲道，并公开建设进度。",
        region_id="310000",
        status=PetitionStatus.OPEN,
        sponsor_token=secrets.token_urlsafe(32),
        opened_at=now,
        closes_at=now + timedelta(days=30),
    )
    forget_region_index()


def test_a_citizen_types_xuhui_picks_it_and_signs(page, live_server, open_petition):
    # given
    page.goto(f"{live_server.url}/petitions/{open_petition.pk}/")
    form = page.locator("#sign form")
    form.get_by_label("您的姓名").fill("王五")
    form.get_by_label("电子邮箱").fill("wangwu@example.cn")
    # when: they type the district's name and pick the suggestion
    form.get_by_role("combobox", name="输入地名").fill("徐汇")
    form.get_by_role("option", name="上海市 › 徐汇区").click()
    # then: the lists follow the choice, and the code travels in the hidden field
    assert form.locator("[data-region-chosen]").inner_text().endswith("上海市 › 徐汇区")
    assert form.locator("select[name=region_1]").input_value() == "310000"
    assert form.locator("input[type=hidden][name=region]").input_value() == "310104"
    page.screenshot(path="test-results/region-picker-chosen.png")
    # when: they sign
    form.get_by_role("button", name="签名", exact=True).click()
    page.wait_for_url(f"{live_server.url}/petitions/{open_petition.pk}/")
    # then
    assert Signature.objects.get(petition=open_petition).region_id == "310104"
