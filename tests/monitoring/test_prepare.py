"""Cardinal's prepare step against Cardinal's own fixtures, and the warnings it reports."""

import json
from pathlib import Path

import pytest

from monitoring.rules.prepare import PrepareSettings, prepare_release
from tests.conftest import require

OCDS = Path(__file__).resolve().parents[3] / "shared" / "data" / "ocds"
FIXTURES = OCDS / "cardinal-fixtures" / "prepare"
CASES = sorted(FIXTURES.glob("*.ini")) if FIXTURES.exists() else []


def prepare_lines(lines: list[str], settings: PrepareSettings) -> tuple[list[str], list[str]]:
    """Each line prepared and written as Cardinal writes it (compact JSON, keys in their order)."""
    output, warnings = [], []
    for line in lines:
        if line.strip():
            release, found = prepare_release(json.loads(line), settings)
            output.append(json.dumps(release, ensure_ascii=False, separators=(",", ":")))
            warnings += found
    return output, warnings


def test_the_fixtures_are_there():
    require(len(CASES) == 9, "../shared/data/ocds/cardinal-fixtures is not beside the checkout")


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_cardinal_prepare_fixture(case):
    # given Cardinal's settings and input for the case
    settings = PrepareSettings.from_ini(case.read_text(encoding="utf-8"))
    lines = case.with_suffix(".jsonl").read_text(encoding="utf-8").splitlines()

    # when each release is prepared
    output, _ = prepare_lines(lines, settings)

    # then the output is Cardinal's, byte for byte
    assert output == case.with_suffix(".output").read_text(encoding="utf-8").splitlines()


def test_warnings_are_cardinals_error_rows():
    release = {
        "ocid": "ocds-1",
        "bids": {"details": [{"value": {"amount": 0}}, {"status": "qualified", "value": {"currency": "UAH"}}]},
        "awards": [{"status": "Active", "items": [{"classification": {"id": 1}}]}],
    }

    prepared, warnings = prepare_release(release, PrepareSettings())

    assert warnings == [
        "ocds-1,/bids/details[]/value/amount,0,,is zero",
        "ocds-1,/bids/details[]/value/currency,0,,not set",
        "ocds-1,/bids/details[]/status,0,,not set",
        "ocds-1,/bids/details[]/status,1,qualified,invalid",
        "ocds-1,/awards[]/items[]/classification/scheme,0.0,,not set",
        "ocds-1,/awards[]/status,0,Active,invalid",
    ]
    assert prepared["awards"][0]["items"][0]["classification"]["id"] == "1"


def test_the_tuned_settings_map_real_bid_statuses():
    require((OCDS / "cardinal-settings-tuned.ini").exists(), "../shared/data/ocds is missing")
    settings = PrepareSettings.from_ini((OCDS / "cardinal-settings-tuned.ini").read_text(encoding="utf-8"))
    release = {
        "ocid": "ua",
        "bids": {"details": [{"status": "active"}, {"status": "qualified"}, {"status": "not-qualified"}]},
        "awards": [{"id": "1"}],
    }

    prepared, warnings = prepare_release(release, settings)

    assert [bid["status"] for bid in prepared["bids"]["details"]] == ["valid", "valid", "disqualified"]
    assert prepared["awards"][0]["status"] == "active"  # [defaults] award_status
    assert not any("status" in warning for warning in warnings)


def test_cardinals_commented_template_prepares_nothing_but_ids():
    require((OCDS / "cardinal-settings.ini").exists(), "../shared/data/ocds is missing")
    settings = PrepareSettings.from_ini((OCDS / "cardinal-settings.ini").read_text(encoding="utf-8"))

    prepared, _ = prepare_release({"ocid": "x", "buyer": {"id": 7}, "awards": [{"suppliers": {"id": "S"}}]}, settings)

    assert settings.is_noop()
    assert prepared == {"ocid": "x", "buyer": {"id": "7"}, "awards": [{"suppliers": [{"id": "S"}]}]}
