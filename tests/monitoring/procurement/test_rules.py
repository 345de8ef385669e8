"""Each procurement rule beyond Cardinal, positive and negative, on variants of a real ProZorro process."""

from monitoring.models import Alert, RuleSetting
from monitoring.procurement.services import ingest_release
from tests.monitoring.procurement.conftest import variant

OTHER_SUPPLIER = {"id": "UA-EDR-20831737", "name": "ТОВ Тропік"}


def rules_raised(alerts):
    return sorted(alert.rule_code for alert in alerts if alert.rule_code.startswith("P"))


# --- P101: split purchases ---


def test_awards_just_under_the_threshold_within_the_window_are_flagged_as_split(base_release, regions):
    # given: Ukraine's open-tender threshold for goods, 200,000 UAH
    RuleSetting.objects.create(code="P101", params={"threshold": 200000})
    ingest_release(variant(base_release, "ocds-test-split-1", amount=190000, date="2017-04-03T10:00:00+03:00"))

    # when: the same buyer buys the same vegetables from the same supplier two weeks later
    outcome = ingest_release(
        variant(base_release, "ocds-test-split-2", amount=185000, date="2017-04-21T10:35:04+03:00")
    )

    # then
    assert rules_raised(outcome.alerts) == ["P101"]
    evidence = Alert.objects.get(rule_code="P101").evidence
    assert evidence["sum"] == 375000 and evidence["threshold"] == 200000 and evidence["currency"] == "UAH"
    assert evidence["processes"] == ["ocds-test-split-1", "ocds-test-split-2"]
    assert Alert.objects.get(rule_code="P101").record_ref == "ocds-test-split-2"


def test_awards_under_the_threshold_far_apart_or_well_under_are_not_split(base_release, regions):
    RuleSetting.objects.create(code="P101", params={"threshold": 200000})
    ingest_release(variant(base_release, "ocds-test-apart-1", amount=190000, date="2016-09-01T10:00:00+03:00"))
    far = ingest_release(variant(base_release, "ocds-test-apart-2", amount=190000, date="2017-04-21T10:00:00+03:00"))
    small = ingest_release(variant(base_release, "ocds-test-apart-3", amount=43788.9, date="2017-04-22T10:00:00+03:00"))

    assert rules_raised(far.alerts) == [] and rules_raised(small.alerts) == []


# --- P102: award far below the estimate ---


def test_an_award_at_most_seventy_percent_of_the_estimate_is_flagged(base_release, regions):
    outcome = ingest_release(variant(base_release, "ocds-test-low-1", estimate=100000))

    assert rules_raised(outcome.alerts) == ["P102"]
    evidence = outcome.alerts[0].evidence
    assert evidence["awarded"] == 43788.9 and evidence["estimate"] == 100000 and evidence["share"] == 0.4379


def test_the_real_award_close_to_its_estimate_is_not_flagged(base_release, regions):
    outcome = ingest_release(base_release)  # 43,788.90 of 49,993.60 UAH: 88 %

    assert rules_raised(outcome.alerts) == []


def test_the_share_is_an_administrators_parameter(base_release, regions):
    RuleSetting.objects.create(code="P102", params={"max_share": 0.9})

    assert rules_raised(ingest_release(base_release).alerts) == ["P102"]


# --- P103: repeated amendments or value growth ---


def test_a_contract_amended_three_times_is_flagged(base_release, regions):
    release = variant(base_release, "ocds-test-amend-1")
    release["contracts"][0]["amendments"] = [
        {"id": f"a{n}", "date": f"2017-0{n + 5}-01T10:00:00+03:00", "rationale": "Зміна ціни за одиницю товару"}
        for n in range(3)
    ]

    outcome = ingest_release(release)

    assert rules_raised(outcome.alerts) == ["P103"]
    assert outcome.alerts[0].evidence["amendments"] == 3


def test_a_contract_grown_beyond_ten_percent_of_the_award_is_flagged(base_release, regions):
    release = variant(base_release, "ocds-test-amend-2")
    release["contracts"][0]["value"]["amount"] = 43788.9 * 1.2
    release["contracts"][0]["amendments"] = [{"id": "a1", "date": "2017-06-01T10:00:00+03:00"}]

    outcome = ingest_release(release)

    assert rules_raised(outcome.alerts) == ["P103"]
    assert outcome.alerts[0].evidence["growth"] == 0.2


def test_one_amendment_within_ten_percent_is_not_flagged(base_release, regions):
    release = variant(base_release, "ocds-test-amend-3")
    release["contracts"][0]["value"]["amount"] = 43788.9 * 1.05
    release["contracts"][0]["amendments"] = [{"id": "a1", "date": "2017-06-01T10:00:00+03:00"}]

    assert rules_raised(ingest_release(release).alerts) == []


# --- P104: the same supplier keeps winning ---


def test_a_supplier_winning_five_of_the_buyers_awards_is_flagged_once(base_release, regions):
    raised = []
    for n in range(6):
        raised += ingest_release(
            variant(base_release, f"ocds-test-winner-{n}", date=f"2017-0{n + 1}-10T10:00:00+02:00")
        ).alerts

    pair = [alert for alert in raised if alert.rule_code == "P104"]
    assert len(pair) == 1  # raised on the fifth award, not again on the sixth
    assert pair[0].evidence["wins"] == 5 and pair[0].evidence["buyer_awards"] == 5
    assert pair[0].entity.name == 'ФОП "КРИШТАЛЬ НАТАЛІЯ ІВАНІВНА"'


def test_a_supplier_with_five_wins_but_a_minority_share_is_not_flagged(base_release, regions):
    raised = []
    for n in range(6):  # six other suppliers win first
        supplier = {"id": f"UA-EDR-{n}", "name": f"ТОВ Постачальник {n}"}
        raised += ingest_release(variant(base_release, f"ocds-test-share-o{n}", supplier=supplier)).alerts
    for n in range(5):  # then the real supplier wins five: 5 of 11 awards
        raised += ingest_release(variant(base_release, f"ocds-test-share-x{n}")).alerts

    assert not [alert for alert in raised if alert.rule_code == "P104"]
