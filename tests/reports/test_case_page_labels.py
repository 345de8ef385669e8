"""The staff case pages name deadlines, escalations, states and steps in words, never by their codes."""

import re

import pytest

from accounts.roles import Role
from reports.models import Report
from tests.factories import UserFactory


@pytest.fixture
def overdue_case(file_report):
    report = file_report().report
    Report.objects.filter(pk=report.pk).update(escalation="yellow", due_rule="accept_or_transfer")
    return report


@pytest.fixture
def inspector_client(client, regions):
    client.force_login(UserFactory(role=Role.INSPECTOR, jurisdiction_id="130600"))
    return client


def _visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_case_list_names_the_escalation_in_words(inspector_client, overdue_case):
    page = _visible_text(inspector_client.get("/reports/cases/").content.decode())

    assert "已超期（黄）" in page
    assert "yellow" not in page


def test_the_case_page_names_the_deadline_escalation_and_states_in_words(inspector_client, overdue_case):
    page = _visible_text(inspector_client.get(f"/reports/cases/{overdue_case.public_id}/").content.decode())

    assert "决定受理或转办" in page and "已超期（黄）" in page
    assert "收到举报。" in page and "→" not in page  # a sentence, not "→ 已收到"
    for code in ("accept_or_transfer", "yellow", "received"):
        assert code not in page


def test_the_case_page_labels_each_step_as_a_verb(inspector_client, overdue_case):
    html = inspector_client.get(f"/reports/cases/{overdue_case.public_id}/").content.decode()

    buttons = dict(re.findall(r'data-testid="action-(\w+)">([^<]+)</button>', html))
    assert buttons == {"accept": "受理", "not_accept": "不予受理", "transfer": "转交其他机关"}
