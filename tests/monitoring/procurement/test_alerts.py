"""Alerts on arrival and in batch: the batch adds what arrival could not see, and neither duplicates."""

import io

from django.core.management import call_command

from monitoring.models import Alert, RuleSetting
from monitoring.procurement.services import ingest_release, reevaluate_procurement
from tests.monitoring.procurement.conftest import PREPARE, SAMPLE, variant


def test_the_batch_sees_purchases_that_arrived_out_of_order_and_duplicates_nothing(base_release, regions):
    # given: two parts of a split purchase, the later one first; on arrival each looks back only
    RuleSetting.objects.create(code="P101", params={"threshold": 200000})
    later = ingest_release(variant(base_release, "ocds-test-order-2", amount=185000, date="2017-04-21T10:00:00+03:00"))
    earlier = ingest_release(
        variant(base_release, "ocds-test-order-1", amount=190000, date="2017-04-03T10:00:00+03:00")
    )
    assert not [a for a in later.alerts + earlier.alerts if a.rule_code == "P101"]

    # when: the batch re-evaluation runs, twice
    processes, raised = reevaluate_procurement()
    again = reevaluate_procurement()

    # then: the later purchase is flagged once, with both parts as evidence
    assert processes == 2 and raised >= 1 and again == (2, 0)
    alert = Alert.objects.get(rule_code="P101")
    assert alert.record_ref == "ocds-test-order-2"
    assert alert.evidence["processes"] == ["ocds-test-order-1", "ocds-test-order-2"]


def test_arrival_then_batch_on_the_real_sample_raises_nothing_twice(regions):
    out = io.StringIO()
    call_command(
        "import_ocds", str(SAMPLE), "--source", "sample-data", "--prepare", str(PREPARE), "--quiet", stdout=out
    )
    on_arrival = {(a.rule_code, a.record_ref) for a in Alert.objects.all()}

    call_command("evaluate_procurement", stdout=out)
    call_command("evaluate_procurement", stdout=out)

    after = list(Alert.objects.values_list("rule_code", "record_ref"))
    assert len(after) == len(set(after))  # one alert per rule and record
    assert on_arrival <= set(after)
    assert out.getvalue().splitlines()[-1].startswith("procurement: 105 processes evaluated, 0 new alerts")


def test_cardinal_evidence_is_stored_with_the_alert(base_release, regions):
    outcome = ingest_release(base_release)

    r003 = next(a for a in outcome.alerts if a.rule_code == "R003")
    assert r003.evidence["population"]["n"] == 1
    assert r003.evidence["record"]["ocid"] == base_release["ocid"]
    assert r003.severity == "yellow" and r003.domain == "procurement"


def test_administrators_can_switch_a_cardinal_indicator_off(base_release, regions):
    RuleSetting.objects.create(code="R003", enabled=False)

    assert "R003" not in [a.rule_code for a in ingest_release(base_release).alerts]


def test_an_organisation_flag_is_raised_once_for_the_organisation(base_release, regions):
    # given: ten buyers running the real process twice each; one disqualifies every bid (Cardinal's R038)
    disqualified = {0: [0, 0], 1: [0, 0], 2: [0, 0], 3: [1, 0], 4: [1, 0], 5: [0, 1], 6: [1, 0], 7: [1, 1], 8: [0, 1]}
    disqualified[9] = [3, 3]
    for buyer, counts in disqualified.items():
        for n, count in enumerate(counts):
            release = variant(base_release, f"ocds-test-r038-{buyer}-{n}")
            release["buyer"] = {"id": f"UA-EDR-BUYER-{buyer}", "name": f"Замовник {buyer}"}
            for i, bid in enumerate(release["bids"]["details"]):
                bid["status"] = "disqualified" if i < count else "valid"
            # when: each arrives through the same path as the API's
            ingest_release(release)
    reevaluate_procurement()

    # then
    alert = Alert.objects.get(rule_code="R038")
    assert alert.record_ref == "buyer:UA-EDR-BUYER-9" and alert.entity.name == "Замовник 9"
    assert alert.evidence["value"] == 1.0 and alert.evidence["upper_fence"] < 1.0
    assert alert.evidence["population"]["n"] == 20
