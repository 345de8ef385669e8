"""The eleven Cardinal indicators against Cardinal's own fixtures and its output on real data, and the default
mode's departures from Cardinal, each shown on a case where Cardinal's behaviour is fragile."""

import gc
import io
import json
import math
from pathlib import Path

import pytest

from monitoring.ocds import ReadReport, iter_cardinal_releases, iter_releases, parse_rfc3339
from monitoring.rules.prepare import PrepareSettings, prepare_release
from monitoring.rules.procurement import (
    INDICATORS,
    CardinalPopulation,
    CardinalSettings,
    collector_paused,
    evaluate_all,
    evaluate_release,
)
from tests.conftest import require

OCDS = Path(__file__).resolve().parents[3] / "shared" / "data" / "ocds"
FIXTURES = OCDS / "cardinal-fixtures" / "indicators"
CASES = sorted(FIXTURES.glob("*.jsonl")) if FIXTURES.exists() else []


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


def assert_same_output(ours: dict, theirs: dict) -> None:
    """Whole outputs equal: the same groups, ids and indicators, values within a float tolerance."""
    assert ours.keys() == theirs.keys()
    for group, entries in theirs.items():
        assert ours[group].keys() == entries.keys(), group
        for key, flags in entries.items():
            assert ours[group][key].keys() == flags.keys(), (group, key)
            for code, value in flags.items():
                mine = ours[group][key][code]
                if value is None or mine is None:
                    assert mine is value, (group, key, code)
                else:
                    assert math.isclose(mine, value, rel_tol=1e-9, abs_tol=1e-9), (group, key, code, mine, value)


def run(lines: list[dict], ini: str = "", *, compat: bool = True):
    settings = CardinalSettings.from_ini(ini) if ini else CardinalSettings()
    return evaluate_all(iter(lines), settings, compat=compat)


def test_the_fixtures_are_there():
    require(len(CASES) == 15, "../shared/data/ocds/cardinal-fixtures is not beside the checkout")


def test_all_eleven_indicators_are_built():
    assert sorted(INDICATORS) == [
        "R003",
        "R018",
        "R024",
        "R025",
        "R028",
        "R030",
        "R035",
        "R036",
        "R038",
        "R048",
        "R058",
    ]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_cardinal_fixture(case):
    # given Cardinal's fixture and the settings its build derives from the file name
    settings = CardinalSettings.from_ini(settings_for(case.stem))
    expected = json.loads(case.with_suffix(".expected").read_text(encoding="utf-8"))

    # when every indicator runs over the file in the compatible mode
    with case.open(encoding="utf-8") as handle:
        result = evaluate_all(iter_releases(handle), settings, compat=True)

    # then the whole output is Cardinal's, every group included
    assert_same_output(result.to_cardinal(), expected)


SINGLE_CASES = [case for case in CASES if case.stem.split("-")[0] in {"R003", "R018", "R028", "R030", "R035", "R036"}]


@pytest.mark.parametrize("case", SINGLE_CASES, ids=lambda p: p.stem)
def test_evaluate_release_agrees_with_the_fixtures(case):
    # the single-release path (used on arrival) flags the same processes as the population pass
    settings = CardinalSettings.from_ini(settings_for(case.stem))
    expected = json.loads(case.with_suffix(".expected").read_text(encoding="utf-8")).get("OCID", {})

    with case.open(encoding="utf-8") as handle:
        ours = {
            release["ocid"]: {code: evidence["value"] for code, evidence in flags.items()}
            for release in iter_releases(handle)
            if (flags := evaluate_release(release, settings, compat=True))
        }

    assert ours == expected


@pytest.mark.parametrize(
    ("ini", "output"),
    [
        ("cardinal-settings.ini", "real_examples_shared.cardinal.json"),
        ("cardinal-settings-tuned.ini", "real_examples_shared.tuned.cardinal.json"),
    ],
)
def test_the_real_sample_gives_cardinals_output(ini, output):
    require((OCDS / "real_examples_shared.jsonl").exists(), "../shared/data/ocds is missing")
    text = (OCDS / ini).read_text(encoding="utf-8")
    settings, prepare = CardinalSettings.from_ini(text), PrepareSettings.from_ini(text)
    expected = json.loads((OCDS / output).read_text(encoding="utf-8"))
    expected.pop("Maps", None)  # Cardinal's --map lists, not results

    report = ReadReport()
    with (OCDS / "real_examples_shared.jsonl").open("rb") as handle:
        releases = (prepare_release(release, prepare)[0] for release in iter_cardinal_releases(handle, report))
        result = evaluate_all(releases, settings, compat=True)

    assert report.releases == 105
    assert result.processes == 104  # one tender is cancelled: Cardinal skips it
    assert_same_output(result.to_cardinal(meta=True), expected)  # Meta too: the same quartiles and fences


def test_reading_only_cardinals_fields_changes_no_result():
    require((OCDS / "real_examples_shared.jsonl").exists(), "../shared/data/ocds is missing")
    settings = CardinalSettings.from_ini((OCDS / "cardinal-settings.ini").read_text(encoding="utf-8"))
    with (OCDS / "real_examples_shared.jsonl").open("rb") as handle:
        projected = evaluate_all(iter_cardinal_releases(handle), settings).to_cardinal(meta=True)
    with (OCDS / "real_examples_shared.jsonl").open(encoding="utf-8") as handle:
        whole = evaluate_all(iter_releases(handle), settings).to_cardinal(meta=True)

    assert projected == whole


def test_a_line_of_another_shape_is_read_whole():
    # a lone supplier object where the schema expects a list: decoded whole, then prepared into a list
    lines = b'{"ocid": "a", "awards": [{"suppliers": {"id": 1}}]}\n[1]\n{"ocid": "b"}\n'
    report = ReadReport()

    releases = list(iter_cardinal_releases(io.BytesIO(lines), report))

    assert [r["ocid"] for r in releases] == ["a", "b"]
    assert releases[0]["awards"][0]["suppliers"] == {"id": 1}
    assert report.problems == ["line 2: not a compiled release with an ocid"]
    assert report.lines == 3


# Evidence --------------------------------------------------------------------------------------------------------


def _priced(ocid: str, winner: float, other: float, currency: str = "USD") -> dict:
    return {
        "ocid": ocid,
        "bids": {
            "details": [
                {"status": "valid", "tenderers": [{"id": "W"}], "value": {"amount": winner, "currency": currency}},
                {"status": "valid", "tenderers": [{"id": "L"}], "value": {"amount": other, "currency": currency}},
            ]
        },
        "awards": [{"status": "active", "suppliers": [{"id": "W"}]}],
    }


def test_a_population_flag_carries_its_evidence():
    # given nine processes whose second-lowest bid is 100 % to 180 % above the winning one, and one where it is equal
    releases = [_priced(str(i), 100, 200 + 10 * i) for i in range(9)] + [_priced("close", 10, 10)]

    result = run(releases, "[R024]")

    assert set(result.by_ocid) == {"close"}
    evidence = result.by_ocid["close"]["R024"]
    assert evidence["value"] == 0.0 and evidence["ratio"] == 0.0
    assert evidence["winner"] == "W" and evidence["second_lowest_tenderer"] == "L"
    assert evidence["winning_amount"] == 10 and evidence["second_lowest_amount"] == 10
    assert evidence["population"] == 10
    assert evidence["q1"] == pytest.approx(1.091667, abs=1e-6) and evidence["q3"] == pytest.approx(1.608333, abs=1e-6)
    assert evidence["lower_fence"] == pytest.approx(0.316667, abs=1e-6)
    assert result.by_tenderer == {
        "W": {"R024": {"value": 0.0, "ocids": ["close"]}},
        "L": {"R024": {"value": 0.0, "ocids": ["close"]}},
    }


def test_the_accumulator_gives_the_result_of_the_population_so_far():
    population = CardinalPopulation(CardinalSettings.from_ini("[R058]"), compat=True)
    for i in range(4):
        population.add(_priced(str(i), 1, 1))
    population.add(_priced("far", 1, 101))
    first = population.result()

    population.add(_priced("farther", 1, 1001))
    second = population.result()

    assert set(first.by_ocid) == {"far"}
    assert set(second.by_ocid) == {"farther"}  # the fence moved up with the population: "far" is no longer out
    assert first.by_ocid["far"]["R058"]["population"] == 5 and second.by_ocid["farther"]["R058"]["population"] == 6
    assert population.result().to_cardinal() == second.to_cardinal()  # reading does not consume


def test_evaluate_release_gives_the_single_release_indicators():
    release = {
        "ocid": "x",
        "tender": {"procurementMethod": "open", "numberOfTenderers": 1},
        "bids": {
            "details": [
                {"status": "disqualified", "tenderers": [{"id": "D"}], "value": {"amount": 1, "currency": "USD"}},
                {"status": "valid", "tenderers": [{"id": "V"}], "value": {"amount": 1, "currency": "USD"}},
            ]
        },
        "awards": [{"status": "active", "suppliers": [{"id": "V"}]}],
    }

    flags = evaluate_release(release, CardinalSettings(), compat=True)

    assert set(flags) == {"R018", "R028", "R035", "R036"}
    assert flags["R028"]["tenderers"] == ["D", "V"]
    assert flags["R035"] == {"value": 1.0, "winner": "V", "disqualified": ["D"], "threshold": 1}


# The default mode's departures from Cardinal -------------------------------------------------------------------


def _disqualifying_buyer(buyer: str, ocid: str, disqualified: int, valid: int) -> dict:
    details = [{"status": "disqualified", "tenderers": [{"id": f"D{ocid}{i}"}]} for i in range(disqualified)]
    details += [{"status": "valid", "tenderers": [{"id": f"V{ocid}{i}"}]} for i in range(valid)]
    return {"ocid": ocid, "buyer": {"id": buyer}, "bids": {"details": details}}


def test_the_default_mode_draws_no_fence_from_a_tiny_sample():
    # Cardinal's own R038 fixture: one buyer qualifies, so Q1 = Q3 = its ratio and it is flagged against itself
    lines = (FIXTURES / "R038.jsonl").read_text(encoding="utf-8").splitlines() if FIXTURES.exists() else []
    require(bool(lines), "../shared/data/ocds/cardinal-fixtures is not beside the checkout")
    releases = [json.loads(line) for line in lines]

    assert run(releases, "[R038]", compat=True).to_cardinal()["Buyer"] == {"B": {"R038": 0.5}}
    assert run(releases, "[R038]", compat=False).by_buyer == {}


def test_the_default_mode_draws_no_fence_from_a_zero_interquartile_range():
    # given ten buyers that all disqualify half the bids, over two processes each
    releases = [_disqualifying_buyer(f"B{b}", f"{b}-{p}", 1, 1) for b in range(10) for p in range(2)]

    cardinal, ours = run(releases, "[R038]", compat=True), run(releases, "[R038]", compat=False)

    assert len(cardinal.by_buyer) == 10  # the fence is 0.5 and every buyer sits on it
    assert ours.by_buyer == {}
    assert ours.meta["R038"]["Buyer_upper_fence"] == 0.5  # the fence is still reported


def test_the_default_mode_judges_against_a_real_spread():
    # given twenty buyers with some spread, and one that disqualifies nearly every bid
    releases = [_disqualifying_buyer(f"B{b}", f"{b}-{p}", b % 3, 4) for b in range(20) for p in range(2)]
    releases += [_disqualifying_buyer("X", f"X-{p}", 9, 1) for p in range(2)]

    result = run(releases, "[R038]", compat=False)

    assert set(result.by_buyer) == {"X"}
    evidence = result.by_buyer["X"]["R038"]
    assert evidence["value"] == 0.9 and evidence["processes"] == 2 and evidence["population"] == 21
    assert evidence["upper_fence"] < 0.9


def test_the_default_mode_counts_processes_for_r038s_minimum():
    # one process with two bids, against a fixed threshold: Cardinal compares its 2 *bids* with the minimum of
    # 2 contracting processes and lets the buyer through; the default mode counts 1 process
    releases = [_disqualifying_buyer("B", "only", 1, 1)]
    ini = "[R038]\nthreshold = 0.1"

    assert run(releases, ini, compat=True).by_buyer["B"]["R038"]["threshold"] == 0.1
    assert run(releases, ini, compat=False).by_buyer == {}
    assert "B" in run(releases * 2, ini, compat=False).by_buyer  # the same process counted twice: 2 processes


def test_dates_without_an_offset():
    assert parse_rfc3339("2000-01-01T00:00:00", require_offset=True) is None  # Cardinal skips them
    assert parse_rfc3339("2000-01-01T00:00:00", require_offset=False).utcoffset().total_seconds() == 0
    assert parse_rfc3339("invalid", require_offset=False) is None
    release = {"ocid": "x", "tender": {"tenderPeriod": {"startDate": "2000-01-01T00:00:00", "endDate": "2000-01-02"}}}

    assert "R003" not in evaluate_release(release, CardinalSettings(), compat=True)
    assert evaluate_release(release, CardinalSettings(), compat=False)["R003"]["days"] == 1


def test_the_default_mode_compares_bid_dates_as_instants():
    # the bid is at 01:00 UTC on the 15th, after the end (midnight UTC), though its text sorts before
    release = {
        "ocid": "x",
        "tender": {"tenderPeriod": {"endDate": "2000-03-15T00:00:00Z"}},
        "bids": {"details": [{"status": "valid", "date": "2000-03-14T23:00:00-02:00", "tenderers": [{"id": "W"}]}]},
        "awards": [{"status": "active", "suppliers": [{"id": "W"}]}],
    }

    assert "R030" not in evaluate_release(release, CardinalSettings(), compat=True)
    assert evaluate_release(release, CardinalSettings(), compat=False)["R030"]["tenderers"] == ["W"]


def test_the_default_mode_counts_bids_rather_than_trusting_number_of_tenderers():
    release = {
        "ocid": "x",
        "tender": {"procurementMethod": "open", "numberOfTenderers": 3},
        "bids": {
            "details": [
                {"status": "valid", "tenderers": [{"id": "A"}]},
                {"status": "valid", "tenderers": [{"id": "A"}]},
            ]
        },
    }

    assert "R018" not in evaluate_release(release, CardinalSettings(), compat=True)
    assert evaluate_release(release, CardinalSettings(), compat=False)["R018"]["tenderers"] == 1


def test_the_default_mode_compares_prices_within_each_process_currency():
    # given processes in dollars first, then one in euros that stands out
    releases = [_priced(str(i), 100, 110 + 10 * i) for i in range(8)] + [_priced("euros", 1, 101, currency="EUR")]

    cardinal, ours = run(releases, "[R058]", compat=True), run(releases, "[R058]", compat=False)

    assert cardinal.by_ocid == {}  # Cardinal keeps the first currency it saw and skips the euro bids
    assert ours.by_ocid["euros"]["R058"]["currency"] == "EUR"


def test_unreadable_lines_are_reported_and_the_rest_read():
    report = ReadReport()
    lines = io.StringIO('{"ocid": "a"}\n{broken\n[1, 2]\n\n{"ocid": "b"}\n')

    assert [r["ocid"] for r in iter_releases(lines, report)] == ["a", "b"]
    assert report.problems == [
        "line 2: not JSON (Expecting property name enclosed in double quotes)",
        "line 3: not a compiled release with an ocid",
    ]


def test_an_empty_r003_detail_threshold_keeps_the_general_one_and_a_malformed_detail_is_ignored():
    # given: a detail with its own threshold, one left empty
    settings = CardinalSettings.from_ini(
        "[R003]\nthreshold = 10\n[R003.procurement_method_details]\nshort = 3\nempty =\n"
    )

    def tender(details) -> dict:
        period = {"startDate": "2024-01-01T00:00:00Z", "endDate": "2024-01-06T00:00:00Z"}  # 5 days
        return {
            "ocid": "x",
            "tender": {"procurementMethod": "open", "procurementMethodDetails": details, "tenderPeriod": period},
        }

    # when / then: 5 days is short against 10, not against 3; an empty or non-text detail falls back to 10
    assert settings.r003_thresholds_by_details == {"short": 3}
    assert "R003" not in evaluate_release(tender("short"), settings, compat=True)
    assert evaluate_release(tender("empty"), settings, compat=True)["R003"]["threshold"] == 10
    assert evaluate_release(tender(["not", "text"]), settings, compat=True)["R003"]["threshold"] == 10


def test_a_batch_fold_pauses_the_cyclic_collector_and_leaves_it_as_it_was():
    # given the collector on (as Python starts)
    assert gc.isenabled()
    seen = []

    def releases():
        seen.append(gc.isenabled())
        yield {"ocid": "a", "tender": {"procurementMethod": "open", "numberOfTenderers": 1}}
        seen.append(gc.isenabled())

    # when a batch folds releases, and when a fold fails
    result = evaluate_all(releases(), CardinalSettings(), compat=True)
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a release the caller could not read")

    # then the collector was off while releases were read, and is on again after either
    assert seen == [False, False] and "R018" in result.by_ocid["a"]
    assert gc.isenabled()

    # and a caller that had turned it off keeps it off
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
