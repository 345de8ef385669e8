"""One registry of the monitoring rules: every rule once, by code, with a short translated title."""

from django.utils import translation

from monitoring.rules import registry


def test_every_rule_of_every_domain_is_registered_once_with_a_title():
    codes = [rule.code for rule in registry.ALL_RULES]

    assert len(codes) == len(set(codes))
    assert {"L001", "L005", "P101", "P104", "R003", "R058", "A001", "A008"} <= set(codes)
    assert {rule.domain for rule in registry.ALL_RULES} == set(registry.DOMAINS)
    with translation.override("zh-hans"):
        assert all(registry.title(code) and registry.title(code) != code for code in codes)
    assert registry.title("X999") == "X999"
    assert registry.get("R018").domain == "procurement"
