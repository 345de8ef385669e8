"""The demo step loads the real sample once; administrators tune the procurement rules' parameters."""

import time

from accounts.roles import Role
from monitoring.demo import load_procurement
from monitoring.models import Alert, RuleSetting
from monitoring.procurement.models import DataProblem, Process
from tests.factories import UserFactory


def test_the_demo_sample_loads_once_and_quickly(regions):
    started = time.monotonic()
    loaded, problems = load_procurement()
    seconds = time.monotonic() - started
    alerts = Alert.objects.count()

    assert loaded == 105 and problems == [] and Process.objects.count() == 105
    assert Alert.objects.filter(rule_code="R003").count() == 30 and Alert.objects.filter(rule_code="R018").count() == 2
    assert DataProblem.objects.filter(field="tender.value.amount").exists()  # Moldova's empty amounts, reported
    assert seconds < 30  # a few seconds on a developer's machine; generous for a loaded CI runner
    assert load_procurement() == (0, [])
    assert Process.objects.count() == 105 and Alert.objects.count() == alerts


def test_administrators_set_a_procurement_rules_parameters_checked_against_the_rule(client, regions):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR, jurisdiction_id="000000"))
    url = "/admin/snippets/monitoring/rulesetting/add/"

    bad = client.post(url, {"code": "P101", "enabled": "on", "severity": "", "params": '{"threshold": "high"}'})
    good = client.post(url, {"code": "P101", "enabled": "on", "severity": "red", "params": '{"threshold": 200000}'})
    cardinal = client.post(url, {"code": "R018", "enabled": "", "severity": "", "params": "{}"})

    assert bad.status_code == 200 and not RuleSetting.objects.filter(code="P101", params={"threshold": "high"}).exists()
    assert good.status_code == 302 and RuleSetting.objects.get(code="P101").params == {"threshold": 200000}
    assert cardinal.status_code == 302 and RuleSetting.objects.get(code="R018").enabled is False
