"""An alert read by an inspector: buttons are verbs, the history is sentences with who and when, in both languages.

No alert, task or escalation code on the page (new, acknowledged, verifying, yellow, open …).
"""

import re
from html import unescape

import pytest
from django.urls import reverse

from monitoring.land.services import ingest_land
from monitoring.models import RuleSetting, VerificationTask

CODES = ("new", "acknowledged", "verifying", "confirmed", "dismissed", "closed", "open", "done", "yellow", "red", "→")


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.DOTALL)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _history(html: str) -> list[str]:
    section = re.search(r'data-testid="alert-history">(.*?)</ol>', html, re.DOTALL).group(1)
    return [_visible(li).strip() for li in re.findall(r"<li>(.*?)</li>", section, re.DOTALL)]


def _buttons(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="move-(\w+)">([^<]+)</button>', html))


def _no_codes(page: str) -> None:
    for code in CODES:
        assert not re.search(rf"(?<![\w@./-]){re.escape(code)}(?![\w@./-])", page), code


@pytest.fixture
def inspector(client, baoding_inspector):
    client.force_login(baoding_inspector)
    return client


@pytest.fixture
def yellow_alert(record, all_regions):
    """An alert no task was made for on arrival: it waits for an inspector to take it."""
    RuleSetting.objects.create(code="L001", severity="yellow")
    record["supply"] = "协议出让"
    return ingest_land(record)[2][0]


@pytest.fixture
def red_alert(record, baoding_inspector):
    """A red alert: the system made a verification task on arrival."""
    record["supply"] = "协议出让"
    record["idnumber"] = "1306262018B09998"
    return ingest_land(record)[2][0]


def _url(alert) -> str:
    return f"/monitoring/alerts/{alert.public_id}/"


def test_the_buttons_are_verbs(inspector, yellow_alert):
    url = _url(yellow_alert)
    seen = _buttons(inspector.get(url).content.decode())
    assert list(seen.values()) == ["签收", "开始核查", "排除"]  # in the workflow's order, on every start
    inspector.post(url + "move/", {"target": "acknowledged", "note": ""})
    seen.update(_buttons(inspector.get(url).content.decode()))
    inspector.post(url + "move/", {"target": "verifying", "note": ""})
    seen.update(_buttons(inspector.get(url).content.decode()))
    inspector.post(url + "move/", {"target": "confirmed", "note": ""})
    seen.update(_buttons(inspector.get(url).content.decode()))

    assert seen == {
        "acknowledged": "签收",
        "verifying": "开始核查",
        "dismissed": "排除",
        "confirmed": "确认",
        "closed": "关闭预警",
    }


def test_the_history_says_who_did_what_and_when(inspector, yellow_alert):
    # given an alert acknowledged, then dismissed with a reason, then closed
    url = _url(yellow_alert)
    inspector.post(url + "move/", {"target": "acknowledged", "note": ""})
    inspector.post(url + "move/", {"target": "dismissed", "note": "出让方式经批准，符合规定"})
    inspector.post(url + "move/", {"target": "closed", "note": ""})

    # when the inspector opens it
    html = inspector.get(url).content.decode()

    # then each step is a sentence with its actor and time
    lines = _history(html)
    when = r"\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}"
    assert re.fullmatch(rf"系统于 {when} 发出预警。", lines[0])
    assert re.fullmatch(rf"王监察于 {when} 签收了预警。", lines[1])
    assert re.fullmatch(rf"王监察于 {when} 排除了预警。 理由：出让方式经批准，符合规定", lines[2])
    assert re.fullmatch(rf"王监察于 {when} 关闭了预警。", lines[3])
    assert "已关闭" in _visible(html)  # the alert's state, not a petition's 已截止
    _no_codes(_visible(html))


def test_a_task_made_by_the_system_and_its_result_read_as_steps(inspector, red_alert):
    url = _url(red_alert)
    VerificationTask.objects.filter(alert=red_alert).update(escalation="yellow")

    page = _visible(inspector.get(url).content.decode())
    assert "进行中" in page and "已超期（黄）" in page  # the task's state and escalation, in words
    assert "查看" not in page.split("核查任务", 1)[1]

    inspector.post(reverse("monitoring:task_result", args=[red_alert.public_id]), {"result": "现场核查：未经集体决策"})
    inspector.post(url + "move/", {"target": "confirmed", "note": ""})
    html = inspector.get(url).content.decode()

    lines = _history(html)
    assert "系统于 " in lines[1] and lines[1].endswith("创建了核查任务，预警转入核查。")
    assert lines[2].startswith("王监察于 ") and lines[2].endswith("录入了核查结果。")
    assert lines[3].startswith("王监察于 ") and lines[3].endswith("确认了预警。")
    assert not any("已生成核查任务" in line or "已记录核查结果" in line for line in lines)
    _no_codes(_visible(html))


def test_the_same_in_english(inspector, yellow_alert):
    inspector.cookies["django_language"] = "en"
    url = _url(yellow_alert)
    inspector.post(url + "move/", {"target": "acknowledged", "note": ""})
    inspector.post(url + "move/", {"target": "verifying", "note": ""})
    html = inspector.get(url).content.decode()

    assert _buttons(html) == {"confirmed": "Confirm", "dismissed": "Dismiss"}
    lines = _history(html)
    assert lines[0].startswith("The system raised the alert on ")
    assert re.fullmatch(r"王监察 acknowledged the alert on \w+\.? \d{1,2}, \d{4} \d{2}:\d{2}\.", lines[1])
    assert lines[2].startswith("王监察 started verification on ")
    page = _visible(html)
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", page) and "→" not in page  # English words, but no codes
