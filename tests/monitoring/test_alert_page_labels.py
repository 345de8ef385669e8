"""The dashboard and the alert page name escalations and alert states in words, never by their codes."""

import re

from monitoring.land.services import ingest_land
from monitoring.models import VerificationTask


def _visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_an_overdue_task_and_the_alert_history_read_in_words(client, record, baoding_inspector):
    record["supply"] = "协议出让"
    alert = ingest_land(record)[2][0]
    VerificationTask.objects.filter(alert=alert).update(escalation="red")
    client.force_login(baoding_inspector)

    dashboard = _visible_text(client.get("/monitoring/").content.decode())
    page = _visible_text(client.get(f"/monitoring/alerts/{alert.public_id}/").content.decode())

    assert "已超期（红）" in dashboard and "已超期（红）" in page
    assert "发出预警。" in page and "创建了核查任务，预警转入核查。" in page  # sentences, not "→ 新预警"
    for code in (" red", "→ new", "→ verifying"):
        assert code not in dashboard and code not in page
