"""A report never reaches the person it names or the staff of the unit it names: not in the case list, its
counts or target signals, its page, an entity profile, or a live event. The same rule (`reports.selectors.conflicts`)
decides everywhere, with a report keyed by credit code (`uscc:`) as with one keyed by unit name."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.roles import Role
from config.asgi import application
from core.identifiers import uscc_check_character
from monitoring.models import Entity
from regions.models import Region
from reports import selectors, services
from reports.models import Report, TargetSignal
from tests.factories import UserFactory
from tests.site.core.test_live_socket import _session_cookie_for

CODE = "11130626000000000" + uscc_check_character("11130626000000000")
UNIT = "定兴县住房和城乡建设局"
DESCRIPTIONS = [
    "局长张某在2026年3月的办公设备采购中把合同拆分成多个小额合同，规避公开招标。",
    "张某安排亲属承接本局的绿化工程，没有经过招标程序，工程款明显高于市场价。",
    "住建局办公室主任张某长期接受施工单位宴请，违反中央八项规定精神。",
]

# Inspectors of Baoding who are, in one way or another, the subject of the reports.
INSIDERS = {
    "unit's credit code": {"display_name": "孙监察", "organisation": "保定市某单位", "organisation_code": CODE.lower()},
    "unit's name (report keyed uscc:)": {"display_name": "钱监察", "organisation": " 定兴县住房和城乡建设局 "},
    "the person, display name": {"display_name": "张某"},
    "the person, family and given name": {"display_name": "", "last_name": "张", "first_name": "某"},
}


def _inspector(**fields):
    return UserFactory(role=Role.INSPECTOR, jurisdiction_id="130600", **fields)


def _file(description: str, **overrides) -> Report:
    fields = {
        "kind": "procurement",
        "subject_name": "张某",
        "subject_post": "局长",
        "subject_unit": UNIT,
        "subject_unit_code": CODE,
        "region": Region.objects.get(code="130626"),
        "description": description,
    }
    fields.update(overrides)
    return services.file_report(**fields).report


@pytest.fixture
def about_the_unit(regions, calendar):
    """Three independent reports naming 张某 of the unit (a target signal), and one about someone else."""
    named = [_file(text) for text in DESCRIPTIONS]
    other = _file(
        "某乡镇卫生院院长在药品采购中收受回扣，采购价格长期高于周边医院。",
        subject_name="李某",
        subject_unit="某乡镇卫生院",
        subject_unit_code="",
    )
    return named, other


@pytest.mark.parametrize("insider", INSIDERS.values(), ids=INSIDERS.keys())
def test_an_insider_sees_no_trace_of_the_reports_about_them(client, about_the_unit, insider):
    named, other = about_the_unit
    assert TargetSignal.objects.filter(reports__in=named).exists()  # the signal exists for others
    user = _inspector(**insider)
    client.force_login(user)

    # the case list, its count and its target signals
    page = client.get("/reports/cases/?state=all")
    text = page.content.decode()
    assert page.context["page"].paginator.count == 1
    assert other.reference in text
    for report in named:
        assert report.reference not in text
    assert UNIT not in text and "张某" not in text
    assert list(page.context["signals"]) == []

    # the case pages, and every step on them
    for report in named:
        assert client.get(f"/reports/cases/{report.public_id}/").status_code == 404
        assert client.post(f"/reports/cases/{report.public_id}/act/", {"action": "accept"}).status_code == 404
        assert not selectors.can_handle(user, report) and selectors.is_conflicted(user, report)
    assert user not in selectors.assignable_handlers(named[0])

    # the unit's profile in monitoring
    entity = Entity.objects.create(name=UNIT, name_key=UNIT, credit_code=CODE)
    profile = client.get(f"/monitoring/entities/{entity.pk}/").content.decode()
    for report in named:
        assert report.reference not in profile


def test_a_bystander_of_the_same_jurisdiction_sees_them_all(client, about_the_unit):
    named, other = about_the_unit
    client.force_login(_inspector(display_name="周监察", organisation="保定市纪委监委"))

    page = client.get("/reports/cases/?state=all")
    entity = Entity.objects.create(name=UNIT, name_key=UNIT, credit_code=CODE)
    profile = client.get(f"/monitoring/entities/{entity.pk}/").content.decode()

    assert page.context["page"].paginator.count == 4
    assert len(page.context["signals"]) == 2  # the person and the unit
    assert all(client.get(f"/reports/cases/{r.public_id}/").status_code == 200 for r in named)
    assert all(r.reference in profile for r in named)


def test_the_query_and_the_single_report_check_agree(regions, calendar):
    # given: reports keyed every way, and users related to them every way
    filed = [
        _file(DESCRIPTIONS[0]),
        _file(DESCRIPTIONS[1], subject_unit_code=""),
        _file(DESCRIPTIONS[2], subject_name="", subject_unit="保定市某单位", subject_unit_code=""),
    ]
    users = [_inspector(**fields) for fields in INSIDERS.values()] + [_inspector(display_name="周监察")]

    for user in users:
        listed = set(selectors.cases_for(user).values_list("pk", flat=True))
        for report in filed:
            assert (report.pk not in listed) == selectors.is_conflicted(user, report), (user.display_name, report)


async def _socket(user) -> WebsocketCommunicator:
    cookie = await _session_cookie_for(user)
    communicator = WebsocketCommunicator(
        application, "/ws/live/", headers=[(b"origin", b"http://127.0.0.1"), (b"cookie", cookie.encode())]
    )
    connected, _ = await communicator.connect()
    assert connected
    await communicator.receive_json_from()  # hello
    return communicator


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("insider", INSIDERS.values(), ids=INSIDERS.keys())
async def test_live_events_about_a_report_skip_the_people_it_names(regions, calendar, insider):
    inside = await database_sync_to_async(_inspector)(**insider)
    bystander = await database_sync_to_async(_inspector)(display_name="周监察")
    insider_socket, bystander_socket = await _socket(inside), await _socket(bystander)

    @database_sync_to_async
    def file_and_handle():
        for text in DESCRIPTIONS:  # the third raises a target signal
            report = _file(text)
        services.act(report=report, user=bystander, action="accept")
        return report

    report = await file_and_handle()

    events = []
    while not await bystander_socket.receive_nothing(timeout=0.5):
        events.append(await bystander_socket.receive_json_from())
    kinds = {event["event"] for event in events}
    assert {"report.received", "report.signal", "report.changed"} <= kinds
    assert str(report.public_id) in str(events)
    assert await insider_socket.receive_nothing(timeout=0.5)
    await insider_socket.disconnect()
    await bystander_socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_live_events_about_reports_do_not_reach_legislators(regions, calendar):
    legislator = await database_sync_to_async(UserFactory)(role=Role.LEGISLATOR, jurisdiction_id="130600")
    socket = await _socket(legislator)

    await database_sync_to_async(_file)(DESCRIPTIONS[0])

    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()
