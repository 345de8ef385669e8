"""Cardinal's running population: updated per record, never read again whole on arrival, and in step with the
database (another worker's records, rolled-back records)."""

import copy

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from monitoring.models import Domain, SourceSystem
from monitoring.procurement import population as running
from monitoring.procurement.models import Process
from monitoring.procurement.services import cardinal_pass, ingest_release
from monitoring.rules.cardinal.population import GROUPS, evaluate_all
from monitoring.rules.cardinal.running import RunningCardinalPopulation
from monitoring.rules.cardinal.settings import CardinalSettings
from monitoring.services import create_source

# --- the pure accumulator -------------------------------------------------------------------------------------


def test_the_running_population_gives_the_batch_result_after_replacements_and_removals(sample_rows):
    # given the real sample, and a running population fed it with some processes sent twice, changed
    settings = CardinalSettings()
    population = RunningCardinalPopulation(settings, compat=False)
    for release in sample_rows:
        population.add(copy.deepcopy(release))
    changed = [r for r in sample_rows if r.get("bids")][:3]
    for release in changed:
        stale = copy.deepcopy(release)
        stale["bids"] = {"details": []}
        population.add(stale)  # replaced by a worse copy …
        population.add(copy.deepcopy(release))  # … then by the real one again
    gone = sample_rows[0]["ocid"]
    population.remove(gone)

    # then its result is the batch's over the same processes, fences and flags alike
    expected = evaluate_all((r for r in sample_rows if r["ocid"] != gone), settings, compat=False)
    assert population.result().to_cardinal(meta=True) == expected.to_cardinal(meta=True)
    assert len(population) == len(sample_rows) - 1


def test_undo_takes_back_the_last_change(sample_rows):
    settings = CardinalSettings()
    population = RunningCardinalPopulation(settings, compat=False)
    for release in sample_rows[:-1]:
        population.add(copy.deepcopy(release))
    population.forget_undo()
    before = population.result().to_cardinal(meta=True)

    population.add(copy.deepcopy(sample_rows[-1]))
    population.remove(sample_rows[0]["ocid"])
    population.undo()
    population.undo()

    assert population.result().to_cardinal(meta=True) == before and population.changes() == 0


def bid_heavy(k: int, version: int = 0) -> dict:
    """A process whose tenderers are flagged: the winner (one of four) bids late (R030), a rival bids the same
    price (R028) or more, or is disqualified (R035); its item's classification prefix changes with `version` (R048).
    """

    def bid(tenderer: str, amount: float, date: str, status: str = "valid") -> dict:
        value = {"amount": amount, "currency": "CNY"}
        return {
            "id": f"{k}-{tenderer}",
            "status": status,
            "date": date,
            "tenderers": [{"id": tenderer}],
            "value": value,
        }

    winner, rival = f"T{k % 4}", f"T{(k + 1 + version) % 4}"
    rival_amount = 100.0 if k % 3 else 100.0 + (k % 9 + 1) * 10
    bids = [
        bid(winner, 100.0, "2024-01-25T00:00:00Z"),
        bid(rival, rival_amount, "2024-01-10T00:00:00Z", "disqualified" if k % 5 == 0 else "valid"),
    ]
    return {
        "ocid": f"ocds-test-{k}",
        "buyer": {"id": f"B{k % 3}"},
        "tender": {
            "procurementMethod": "open",
            "procuringEntity": {"id": f"B{k % 3}"},
            "tenderPeriod": {"startDate": "2024-01-01T00:00:00Z", "endDate": "2024-01-20T00:00:00Z"},
        },
        "bids": {"details": bids},
        "awards": [
            {
                "status": "active",
                "suppliers": [{"id": winner}],
                "items": [{"classification": {"id": f"{k % 6 + version}1000000"}}],
            }
        ],
    }


def normalised(result) -> tuple[dict, dict]:
    """Every group's flags with their whole evidence; a tenderer's flagged ocids as a sorted list (their order is
    the order the processes came in)."""
    groups = {
        name: {
            key: {code: {f: sorted(v) if f == "ocids" else v for f, v in ev.items()} for code, ev in flags.items()}
            for key, flags in result.group(name).items()
        }
        for name in GROUPS
    }
    return groups, result.meta


@pytest.mark.parametrize("compat", [False, True])
def test_replaced_and_removed_processes_leave_no_trace_in_organisations_evidence(compat):
    # given a running population of 60 bid-heavy processes whose tenderers are flagged by many of them
    settings = CardinalSettings(r048_minimum_contracting_processes=3, r048_threshold=2)
    population = RunningCardinalPopulation(settings, compat=compat)
    for k in range(60):
        population.add(bid_heavy(k))

    # when a third are sent again changed (other rival, other prefix), some removed, one re-added, one change undone
    for k in range(0, 60, 3):
        population.add(bid_heavy(k, version=1))
    for k in (1, 4, 7, 30):
        population.remove(f"ocds-test-{k}")
    population.add(bid_heavy(4))
    population.forget_undo()
    population.add(bid_heavy(10, version=1))
    population.undo()

    # then flags, evidence (tenderers' ocids, suppliers' prefixes) and fences are the batch's over what it holds
    final = [bid_heavy(k, version=1 if k % 3 == 0 else 0) for k in range(60) if k not in (1, 7, 30)]
    expected = evaluate_all(final, settings, compat=compat)
    groups, meta = normalised(population.result())
    assert groups["Tenderer"] and any("R048" in flags for flags in groups["Tenderer"].values())
    assert any("R028" in flags for flags in groups["Tenderer"].values())
    assert (groups, meta) == normalised(expected)
    assert len(population) == len(final)


# --- in step with the database ---------------------------------------------------------------------------------


@pytest.fixture
def source(regions):
    source, _ = create_source(name="ProZorro", domain=Domain.PROCUREMENT)
    return source


def copies(sample_rows, count: int, start: int = 0) -> list[dict]:
    """`count` real releases under new ocids (the sample's, cycled)."""
    rows = []
    for n in range(start, start + count):
        release = copy.deepcopy(sample_rows[n % len(sample_rows)])
        release["ocid"] = f"{release['ocid']}#{n}"
        rows.append(release)
    return rows


def ingest_queries(release: dict, source: SourceSystem) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        ingest_release(release, source=source)
    return [query["sql"] for query in queries.captured_queries]


def test_an_ingest_reads_the_same_queries_with_10_or_200_processes_stored(sample_rows, source):
    # given 10 processes of the source, and the population already in this process's memory; the records that
    # arrive are copies of one real process without bids or awards, so the same rules fire on each
    for release in copies(sample_rows, 10):
        ingest_release(release, source=source, evaluate=False)
    ingest_release(copies(sample_rows, 1, start=5 * 105)[0], source=source)
    rebuilt = running._memory[running.population_key(source)].rebuilt

    # when one more record arrives with 10 stored, then with 200 stored
    with_10 = ingest_queries(copies(sample_rows, 1, start=6 * 105)[0], source)
    for release in copies(sample_rows, 190, start=10):
        ingest_release(release, source=source, evaluate=False)
    with_200 = ingest_queries(copies(sample_rows, 1, start=7 * 105)[0], source)

    # then the ingest costs as many queries either way, and neither read the source's releases again
    assert Process.objects.filter(source=source).count() == 203
    assert len(with_10) == len(with_200), (len(with_10), len(with_200))
    by_source = [
        sql
        for sql in with_10 + with_200
        if sql.startswith("SELECT") and '"procurement_process"."release"' in sql and '"source_id" =' in sql
    ]
    assert all('"procurement_process"."ocid" =' in sql or '"procurement_process"."ocid" IN' in sql for sql in by_source)
    assert not any('"population_version" >' in sql for sql in with_10 + with_200)  # nothing to catch up
    assert running._memory[running.population_key(source)].rebuilt == rebuilt  # never read whole again
    assert len(running._memory[running.population_key(source)].population) == 203


def test_records_stored_by_another_worker_are_caught_up_without_reading_the_rest(sample_rows, source):
    # given this process's population, then a record stored by "another worker" (whose change it did not see)
    for release in copies(sample_rows, 20):
        ingest_release(release, source=source, evaluate=False)
    cardinal_pass(source=source, ocids=set())
    key = running.population_key(source)
    mine = running._memory.pop(key)
    other = copies(sample_rows, 1, start=20)[0]
    ingest_release(other, source=source, evaluate=False)  # builds its own copy: the other worker
    running._memory[key] = mine

    # when this process uses its population again
    with CaptureQueriesContext(connection) as queries:
        cardinal_pass(source=source, ocids=set())

    # then it read only the changed process and holds all 21
    assert len(mine.population) == 21 and other["ocid"] in mine.population
    read = [q["sql"] for q in queries.captured_queries if '"release"' in q["sql"] and "population_version" in q["sql"]]
    assert len(read) == 1 and '"population_version" >' in read[0]


def test_a_rolled_back_record_leaves_the_population(sample_rows, source):
    # given a population of 5
    for release in copies(sample_rows, 5):
        ingest_release(release, source=source, evaluate=False)

    # when a record is stored then its transaction is rolled back
    with pytest.raises(RuntimeError), transaction.atomic():
        ingest_release(copies(sample_rows, 1, start=5)[0], source=source)
        raise RuntimeError("the caller fails after the record")

    # then neither the database nor the population keeps it
    memory = running.current(source, CardinalSettings(), "")
    assert Process.objects.filter(source=source).count() == 5 and len(memory.population) == 5
