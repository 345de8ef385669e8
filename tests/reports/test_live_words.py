"""Report events on the staff's live panel read as one sentence naming the case once."""

from django.utils import translation

from reports.live import describe_report


def test_an_overdue_case_is_named_once():
    payload = {"report": "6f1c4a52-0d7e-4c1e-9a55-1f1d2b3c4d5e", "escalation": "yellow", "reference": "B650E1E60A"}
    payload["summary"] = "案件 B650E1E60A 已超期（黄）"
    with translation.override("zh-hans"):
        text = describe_report("report.overdue", payload).text

    assert text.count("B650E1E60A") == 1 and text.count("案件") == 1
    assert "yellow" not in text
