"""Rules that learn from verdicts: each rule's confirmed and dismissed alerts and its confirmed share, by domain
and region, from inspectors' decisions; on the rule settings screen (all) and the dashboard (the jurisdiction)."""

import pytest

from accounts.roles import Role
from monitoring import selectors
from monitoring.models import Alert, AlertEvent, RuleSetting
from monitoring.rules import registry
from monitoring.verdicts import Tally, region_group, tally
from tests.factories import UserFactory

DINGXING, LAISHUI, HAIGANG, DONGCHENG = "130626", "130623", "130302", "110101"  # 保定 ×2, 秦皇岛, 北京


def _alert(n: int, *, rule: str, domain: str, region: str, state: str, history: tuple[str, ...] = ()) -> Alert:
    alert = Alert.objects.create(
        fingerprint=f"verdict:{n}",
        rule_code=rule,
        domain=domain,
        severity="yellow",
        title=f"预警{n}",
        region_id=region,
        record_ref=str(n),
        state=state,
    )
    before = "verifying"
    for step in history:
        AlertEvent.objects.create(alert=alert, from_state=before, to_state=step)
        before = step
    return alert


@pytest.fixture
def decided(regions):
    """L001 in 保定: 3 confirmed (one of them since closed), 1 dismissed; in 秦皇岛 1 dismissed; in 北京 1 confirmed.
    A002 in 保定: 1 dismissed (closed), 1 still open. Open alerts are no verdict."""
    n = iter(range(100))
    for state, region, history in [
        ("confirmed", DINGXING, ()),
        ("confirmed", LAISHUI, ()),
        ("closed", DINGXING, ("confirmed", "closed")),
        ("dismissed", DINGXING, ()),
        ("dismissed", HAIGANG, ()),
        ("confirmed", DONGCHENG, ()),
        ("new", DINGXING, ()),
    ]:
        _alert(next(n), rule="L001", domain="land", region=region, state=state, history=history)
    _alert(next(n), rule="A002", domain="approval", region=DINGXING, state="closed", history=("dismissed", "closed"))
    _alert(next(n), rule="A002", domain="approval", region=DINGXING, state="verifying")


def _rule(table, code):
    return next(rule for domain in table for rule in domain.rules if rule.code == code)


def _domain(table, key):
    return next(domain for domain in table if domain.domain == key)


def test_the_share_is_confirmed_over_decided():
    assert Tally(confirmed=3, dismissed=1).ratio == 0.75 and Tally(confirmed=3, dismissed=1).percent == 75
    assert Tally().ratio is None and Tally().percent is None
    assert Tally(confirmed=1).too_few and not Tally(confirmed=4, dismissed=1).too_few


def test_tally_groups_regions_one_level_below_the_jurisdiction():
    rows = [
        ("L001", "land", DINGXING, "confirmed", 2),
        ("L001", "land", LAISHUI, "dismissed", 1),
        ("L001", "land", HAIGANG, "confirmed", 1),
        ("L001", "land", HAIGANG, "", 5),  # no verdict: ignored
    ]
    kwargs = {
        "rule_titles": {"L001": "协议出让商服用地"},
        "rule_domains": {"L001": "land"},
        "domain_labels": {"land": "土地出让"},
    }

    by_city = tally(rows, group=region_group("13"), **kwargs)
    by_county = tally(rows, group=region_group("1306"), **kwargs)

    assert [(r.code, r.confirmed, r.dismissed) for r in by_city[0].rules[0].regions] == [
        ("130300", 1, 0),
        ("130600", 2, 1),
    ]
    assert [r.code for r in by_county[0].rules[0].regions] == [HAIGANG, LAISHUI, DINGXING]
    assert (by_city[0].confirmed, by_city[0].dismissed) == (3, 1)


def test_verdicts_come_from_decisions_including_closed_alerts(decided):
    table = selectors.rule_verdicts(Alert.objects.all())

    l001, a002 = _rule(table, "L001"), _rule(table, "A002")
    assert (l001.confirmed, l001.dismissed, l001.percent) == (4, 2, 67)
    assert (a002.confirmed, a002.dismissed, a002.percent) == (0, 1, 0)
    assert l001.title == str(registry.get("L001").title)
    land = _domain(table, "land")
    assert (land.confirmed, land.dismissed) == (4, 2)
    # by province for the whole country
    assert {(r.code, r.confirmed, r.dismissed) for r in l001.regions} == {("110000", 1, 0), ("130000", 3, 2)}
    # every rule of the registry is listed, decided or not
    assert {rule.code for domain in table for rule in domain.rules} == set(registry.RULES)


def test_verdicts_in_a_city_are_by_county_and_leave_other_cities_out(decided):
    baoding = UserFactory(role=Role.INSPECTOR, jurisdiction_id="130600")
    from monitoring.services import alerts_for

    table = selectors.rule_verdicts(alerts_for(baoding), prefix=selectors.jurisdiction_prefix(baoding))

    l001 = _rule(table, "L001")
    assert (l001.confirmed, l001.dismissed) == (3, 1)
    assert {(r.code, r.confirmed, r.dismissed) for r in l001.regions} == {(DINGXING, 2, 1), (LAISHUI, 1, 0)}
    assert {r.name for r in l001.regions} == {"河北省保定市定兴县", "河北省保定市涞水县"}


def test_the_dashboard_shows_rule_titles_and_the_jurisdictions_verdicts(client, decided):
    baoding = UserFactory(role=Role.INSPECTOR, jurisdiction_id="130600")
    client.force_login(baoding)

    response = client.get("/monitoring/?state=all")
    page = response.content.decode()

    # rule counts and the alert list name rules by title, never by bare code
    title = str(registry.get("L001").title)
    assert title in page
    assert ">L001<" not in page and ">A002<" not in page
    assert [row["label"] for row in response.context["counts"]["rule"]][0] == title
    # the verdicts card: 保定's decisions only (3 confirmed of 4), with 保定's counties
    assert 'data-testid="rule-verdicts"' in page
    l001 = _rule(response.context["verdicts"], "L001")
    assert (l001.confirmed, l001.dismissed, l001.percent) == (3, 1, 75) and "75%" in page
    assert "河北省保定市定兴县" in page and "秦皇岛" not in page


def test_the_rule_settings_screen_shows_each_rules_verdicts(client, decided):
    RuleSetting.objects.create(code="L001")
    client.force_login(UserFactory(role=Role.ADMINISTRATOR, jurisdiction_id="000000"))

    page = client.get("/admin/snippets/monitoring/rulesetting/").content.decode()

    assert str(registry.get("L001").title) in page
    assert "4 / 6 · 67%" in page  # the listing's column for the rule that has a setting
    assert 'data-testid="rule-verdicts"' in page
    assert 'data-rule="A002"' in page  # every rule, with or without a setting
    assert "北京市" in page and "河北省" in page  # by province
