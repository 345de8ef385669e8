"""Every demo alert's page explains its evidence in words, in both languages: no raw key, Python literal or ISO
timestamp; population rules show their sentence with the numbers and the chart; approval cases are links."""

import re

import pytest
from django.conf import settings

from accounts.models import User
from monitoring.models import Alert

SECTION = re.compile(r'<section class="card evidence-card" data-testid="alert-evidence">(.*?)</section>', re.S)
RAW = [
    (re.compile(r"\b[A-Za-z]+_[A-Za-z_]+\b"), "an identifier with an underscore"),
    (re.compile(r"[\[\]{}]"), "a bracket or brace"),
    (re.compile(r"\b(True|False|None|nan)\b"), "a Python literal"),
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "an ISO date"),
    (re.compile(r"Q1 − k·IQR|cardinal-rs"), "a formula or a program as a reason"),
]
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
METHOD_ONLY = {"P102", "P104", "R048"}
POPULATION_RULES = {"L002", "A006", "R024", "R025", "R038", "R048", "R058"}


def visible(html: str) -> str:
    html = re.sub(r"<(script|style|title)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def one_alert_per_rule() -> list[Alert]:
    seen, alerts = set(), []
    for alert in Alert.objects.order_by("rule_code", "pk"):
        if alert.rule_code not in seen:
            seen.add(alert.rule_code)
            alerts.append(alert)
    return alerts


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_demo_alert_explains_its_evidence_in_words(client, demo_content, language):
    # given the national lead inspector of the demo, who sees every alert
    client.force_login(User.objects.get(email="inspector@demo.sunshine.cn"))
    alerts = one_alert_per_rule()
    assert {"L001", "R003", "A001"} <= {a.rule_code for a in alerts}

    for alert in alerts:
        # when the alert page is opened in this language (chosen with the switcher: the language cookie)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(f"/monitoring/alerts/{alert.public_id}/")
        html = response.content.decode()
        assert response.status_code == 200, alert.rule_code
        section = SECTION.search(html)
        assert section, alert.rule_code
        text = visible(section.group(1))

        # then the evidence reads as words
        for pattern, what in RAW:
            assert not pattern.search(text), f"{alert.rule_code} ({language}): {what}: {pattern.search(text)[0]!r}"
        assert not ISO_TIMESTAMP.search(visible(html)), alert.rule_code
        assert "IQR" not in visible(html) and "cardinal-rs" not in visible(html), alert.rule_code
        assert 'data-testid="evidence-sentence"' in section.group(1)
        assert 'data-testid="evidence-basis"' in section.group(1), alert.rule_code
        if language == "zh-hans":
            assert "土地使用权人" not in text or alert.domain == "land", alert.rule_code
            # the basis is a law and its article, where a law applies (the others cite their methodology)
            assert re.search(r"《[^》]+》第[一二三四五六七八九十百零]+条", text) or alert.rule_code in METHOD_ONLY
            assert "Cardinal" in text or not re.search(r"\b(the|of|and|to)\b", text), alert.rule_code
        else:
            assert re.search(r"\b(the|of|and|to|on|at)\b", text, re.I), alert.rule_code
        if alert.domain != "approval":
            assert "审批案件" not in text and "Approval case" not in text, alert.rule_code
        # a population rule shows its chart and its numbers
        if alert.rule_code in POPULATION_RULES:
            assert 'data-testid="evidence-chart"' in section.group(1), alert.rule_code
            assert re.search(r"\d", text)
        # an approval alert links its case page
        if alert.domain == "approval":
            assert re.search(r'<a href="/monitoring/approvals/\d+/" data-testid="case-link">', section.group(1))


def test_an_approval_alert_names_its_people_by_their_roles(client, demo_content):
    client.force_login(User.objects.get(email="inspector@demo.sunshine.cn"))
    alert = Alert.objects.filter(domain="approval").order_by("pk").first()

    text = visible(client.get(f"/monitoring/alerts/{alert.public_id}/").content.decode())

    assert "申请人" in text and "审批部门" in text
    assert "土地使用权人" not in text


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_sample_alert_of_every_rule_renders_in_words(client, baoding_inspector, language):
    # given an alert of every registered rule, with a sample of the evidence that rule stores
    from monitoring.rules import registry
    from tests.monitoring.evidence_samples import SAMPLES

    alerts = [
        Alert.objects.create(
            fingerprint=f"sample:{code}",
            rule_code=code,
            domain=registry.get(code).domain,
            severity="yellow",
            title=str(registry.title(code)),
            region_id="130600",
            record_ref=f"sample-{code}",
            evidence=evidence,
        )
        for code, evidence in SAMPLES.items()
    ]
    client.force_login(baoding_inspector)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    for alert in alerts:
        # when its page is opened
        html = client.get(f"/monitoring/alerts/{alert.public_id}/").content.decode()
        section = SECTION.search(html)
        text = visible(section.group(1))

        # then it reads in words, with the chart for a population rule
        for pattern, what in RAW:
            assert not pattern.search(text), f"{alert.rule_code} ({language}): {what}: {pattern.search(text)[0]!r}"
        assert ("evidence-chart" in section.group(1)) == (alert.rule_code in POPULATION_RULES), alert.rule_code
        assert "IQR" not in visible(html) and not ISO_TIMESTAMP.search(visible(html)), alert.rule_code
