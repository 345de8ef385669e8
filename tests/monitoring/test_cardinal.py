"""The procurement indicators built so far (R003, R018) against Cardinal's own fixtures and its output on real data."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from monitoring.ocds import ReadReport, iter_releases, parse_rfc3339
from monitoring.rules.procurement import INDICATORS, CardinalSettings, evaluate_release
from tests.conftest import require

OCDS = Path(__file__).resolve().parents[3] / "shared" / "data" / "ocds"
FIXTURES = OCDS / "cardinal-fixtures" / "indicators"
CASES = (
    sorted(p for p in FIXTURES.glob("*.jsonl") if p.name.split("-")[0].split(".")[0] in INDICATORS)
    if FIXTURES.exists()
    else []
)


def settings_for(name: str) -> str:
    """The settings Cardinal's build script derives from a fixture's file name (see the fixtures' README)."""
    parts = name.split("-")
    lines = [
        "no_price_comparison_procurement_methods = NPC",
        "[exclusions]",
        "procurement_method_details = EXC",
        f"[{parts[0]}]",
    ]
    if len(parts) == 3:
        lines.append(f"{parts[1]} = {parts[2].replace('+', '|')}")
    elif len(parts) > 3:
        lines.append(f"[{parts[0]}.{parts[1]}]")
        lines += [f"{key} = {value}" for key, value in zip(parts[2::2], parts[3::2], strict=True)]
    return "\n".join(lines)


def test_the_fixtures_are_there():
    require(len(CASES) == 5, "../shared/data/ocds/cardinal-fixtures is not beside the checkout")


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_cardinal_fixture(case):
    settings = CardinalSettings.from_ini(settings_for(case.stem))
    expected = json.loads(case.with_suffix(".expected").read_text(encoding="utf-8"))["OCID"]

    with case.open(encoding="utf-8") as handle:
        ours = {
            release["ocid"]: dict.fromkeys(flags, 1.0)
            for release in iter_releases(handle)
            if (flags := evaluate_release(release, settings, compat=True))
        }

    assert ours == expected


def test_agreement_with_cardinal_on_the_real_sample():
    require((OCDS / "real_examples_shared.jsonl").exists(), "../shared/data/ocds is missing")
    out = io.StringIO()

    call_command(
        "monitoring_bench",
        ocds=str(OCDS / "real_examples_shared.jsonl"),
        ini=str(OCDS / "cardinal-settings.ini"),
        cardinal=str(OCDS / "real_examples_shared.cardinal.json"),
        compat=True,
        repeat=1,
        stdout=out,
    )

    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["processes"] == 105
    assert result["agreement"] == {
        "R003": {"matched": 30, "missed": 0, "extra": 0},
        "R018": {"matched": 2, "missed": 0, "extra": 0},
    }
    assert len(result["not_implemented"]) == 9


def test_dates_without_an_offset():
    assert parse_rfc3339("2000-01-01T00:00:00", require_offset=True) is None  # Cardinal skips them
    assert parse_rfc3339("2000-01-01T00:00:00", require_offset=False).utcoffset().total_seconds() == 0
    assert parse_rfc3339("invalid", require_offset=False) is None


def test_the_default_mode_counts_bids_rather_than_trusting_number_of_tenderers():
    release = {
        "ocid": "x",
        "tender": {"procurementMethod": "open", "numberOfTenderers": 3},
        "bids": {"details": [{"tenderers": [{"id": "A"}]}, {"tenderers": [{"id": "A"}]}]},
    }
    settings = CardinalSettings()

    assert "R018" not in evaluate_release(release, settings, compat=True)
    assert evaluate_release(release, settings, compat=False)["R018"]["tenderers"] == 1


def test_unreadable_lines_are_reported_and_the_rest_read():
    report = ReadReport()
    lines = io.StringIO('{"ocid": "a"}\n{broken\n[1, 2]\n\n{"ocid": "b"}\n')

    assert [r["ocid"] for r in iter_releases(lines, report)] == ["a", "b"]
    assert report.problems == [
        "line 2: not JSON (Expecting property name enclosed in double quotes)",
        "line 3: not a compiled release with an ocid",
    ]
