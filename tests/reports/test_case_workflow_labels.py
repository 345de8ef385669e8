"""A case read by an inspector: buttons are verbs, the history is sentences with who and when, in both languages.

An identity reveal is in the history (who, when, why), never the identity itself; no state or rule code on the page.
"""

import re
from html import unescape

import pytest
from django.urls import reverse

from reports.models import Report

STATE_CODES = (
    "received",
    "accepted",
    "not_accepted",
    "handling",
    "concluded",
    "replied",
    "accept_or_transfer",
    "start_handling",
    "yellow",
    "reminder",
    "identity",
    "→",
)


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.DOTALL)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _section(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">(.*?)</ol>', html, re.DOTALL)
    assert match, testid
    return match.group(1)


def _history(html: str) -> list[str]:
    return [_visible(li).strip() for li in re.findall(r"<li>(.*?)</li>", _section(html, "case-history"), re.DOTALL)]


def _buttons(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="action-(\w+)">([^<]+)</button>', html))


@pytest.fixture
def case(file_report, real_name):
    return file_report(identity=real_name).report


@pytest.fixture
def inspector(client, inspector_baoding):
    client.force_login(inspector_baoding)
    return client


def _walk(client, case):
    """Accept, look at the reporter's identity, start handling, conclude: as an inspector does from the page."""
    act = reverse("reports:staff_act", args=[case.public_id])
    client.post(act, {"action": "accept", "note": ""})
    reveal = reverse("reports:staff_reveal", args=[case.public_id])
    revealed = client.post(reveal, {"reason": "需要电话联系举报人核实细节"}).content.decode()
    client.post(act, {"action": "start_handling", "note": ""})
    client.post(act, {"action": "conclude", "note": "经查属实，已移送处理"})
    return revealed


def test_each_step_is_a_verb_and_never_the_state_it_leads_to(inspector, case):
    url = f"/reports/cases/{case.public_id}/"
    seen = {}
    for action in ("accept", "start_handling", "conclude"):
        page = inspector.get(url).content.decode()
        seen.update(_buttons(page))
        inspector.post(reverse("reports:staff_act", args=[case.public_id]), {"action": action, "note": "经查属实"})

    assert seen == {
        "accept": "受理",
        "not_accept": "不予受理",
        "transfer": "转交其他机关",
        "start_handling": "开始办理",
        "conclude": "办结",
    }
    # a state reads "已受理", "办理中"; the step that leads there does not
    assert not [verb for verb in seen.values() if verb.startswith("已") or verb.endswith("中")]


def test_the_history_reads_as_sentences_with_who_and_when(inspector, case):
    # given a case taken through its steps, with the reporter's identity seen once
    _walk(inspector, case)

    # when the inspector opens it again
    html = inspector.get(f"/reports/cases/{case.public_id}/").content.decode()

    # then every step is one sentence with its actor and time
    lines = _history(html)
    assert lines[0].startswith("20") and "收到举报。" in lines[0]
    assert any(re.search(r"^王监察于 \d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2} 受理了此案。$", line) for line in lines)
    assert any(line.startswith("王监察于 ") and "开始办理。" in line for line in lines)
    assert any("办结。" in line and "结果：经查属实，已移送处理" in line for line in lines)
    assert all(line.endswith("。") or "：" in line for line in lines)


def test_an_identity_reveal_is_in_the_history_without_the_identity(inspector, case, real_name):
    revealed = _walk(inspector, case)
    assert real_name.name in revealed  # the inspector who asked saw it, once

    html = inspector.get(f"/reports/cases/{case.public_id}/").content.decode()
    reveal = [line for line in _history(html) if "查看了举报人身份信息" in line]

    assert len(reveal) == 1
    assert reveal[0].startswith("王监察于 ") and reveal[0].endswith("理由：需要电话联系举报人核实细节")
    page = _visible(html)
    for secret in (real_name.name, real_name.id_number, real_name.phone, real_name.email):
        assert secret not in page


def test_no_state_or_rule_code_on_the_case_page_or_list(inspector, case):
    Report.objects.filter(pk=case.pk).update(escalation="yellow")
    _walk(inspector, case)

    for url in (f"/reports/cases/{case.public_id}/", "/reports/cases/?state=all"):
        page = _visible(inspector.get(url).content.decode())
        for code in STATE_CODES:
            assert not re.search(rf"(?<![\w@.]){re.escape(code)}(?![\w@.])", page), (url, code)


def test_the_same_in_english(inspector, case):
    inspector.cookies["django_language"] = "en"
    Report.objects.filter(pk=case.pk).update(escalation="yellow")
    _walk(inspector, case)

    html = inspector.get(f"/reports/cases/{case.public_id}/").content.decode()

    lines = _history(html)
    assert any(re.fullmatch(r"王监察 accepted the case on \w+\.? \d{1,2}, \d{4} \d{2}:\d{2}\.", line) for line in lines)
    assert any(line.startswith("王监察 viewed the reporter's identity on ") for line in lines)
    assert any("Reason: 需要电话联系举报人核实细节" in line for line in lines)
    assert _buttons(html) == {}  # concluded: the next step is the reply, not a button of the workflow map
    assert "Send reply" in html
    page = _visible(html)
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", page) and "→" not in page  # English words, but no codes


def test_a_transfer_names_the_body_and_a_refusal_its_reason(inspector, file_report):
    # given two cases: one transferred, one not accepted
    moved, refused = file_report().report, file_report(subject_unit="定兴县教育局").report
    act = "reports:staff_act"
    inspector.post(reverse(act, args=[moved.public_id]), {"action": "transfer", "transferred_to": "保定市审计局"})
    inspector.post(reverse(act, args=[refused.public_id]), {"action": "not_accept", "note": "不属于本机关管辖"})

    # when the inspector reads their histories
    moved_lines = _history(inspector.get(f"/reports/cases/{moved.public_id}/").content.decode())
    refused_lines = _history(inspector.get(f"/reports/cases/{refused.public_id}/").content.decode())

    # then each says where the case went, or why it was refused
    assert moved_lines[-1].startswith("王监察于 ") and moved_lines[-1].endswith("将此案转交保定市审计局。")
    assert refused_lines[-1].endswith("决定不予受理。 理由：不属于本机关管辖")
