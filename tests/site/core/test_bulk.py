"""core.bulk: many rows updated or inserted with one statement a batch, values saved as the ORM saves them."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.bulk import insert_rows, update_rows
from core.models import JobRun, LiveEvent

pytestmark = pytest.mark.django_db


def test_update_rows_sets_each_rows_values_in_batches():
    for n in range(5):
        JobRun.objects.create(name=f"job-{n}", last_result="old", owner="x")
    when = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)

    with CaptureQueriesContext(connection) as queries:
        updated = update_rows(
            JobRun,
            ["last_result", "last_started", "owner"],
            [(f"job-{n}", f"结果 {n}", when if n % 2 else None, "") for n in range(4)],  # job-4 untouched
            batch_size=3,
        )

    assert updated == 4 and len(queries) == 2  # 3 + 1
    rows = {row.name: row for row in JobRun.objects.all()}
    assert [rows[f"job-{n}"].last_result for n in range(5)] == ["结果 0", "结果 1", "结果 2", "结果 3", "old"]
    assert rows["job-1"].last_started == when and rows["job-0"].last_started is None
    assert rows["job-4"].owner == "x" and rows["job-3"].owner == ""


def test_update_rows_with_nothing_to_do_asks_nothing():
    with CaptureQueriesContext(connection) as queries:
        assert update_rows(JobRun, ["owner"], []) == 0
    assert not queries


def test_insert_rows_fills_defaults_and_skips_conflicts():
    LiveEvent.objects.create(event_type="a", groups="g", payload={"n": 1})
    first = LiveEvent.objects.get()

    inserted = insert_rows(LiveEvent, ["event_type", "groups", "payload"], [("b", "g", {"名": "值"}), ("c", "h", {})])

    assert inserted == 2
    rows = {row.event_type: row for row in LiveEvent.objects.exclude(pk=first.pk)}
    assert rows["b"].payload == {"名": "值"} and rows["b"].sent is False and rows["b"].at is not None
    assert rows["b"].at == rows["c"].at  # one time for the call


def test_insert_rows_ignores_rows_that_break_a_unique_constraint():
    JobRun.objects.create(name="taken")
    inserted = insert_rows(JobRun, ["name", "owner"], [("taken", "x"), ("free", "y")], ignore_conflicts=True)
    assert inserted == 1
    assert JobRun.objects.get(name="taken").owner == "" and JobRun.objects.get(name="free").owner == "y"


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_analyze_tells_postgresql_what_a_bulk_write_left():
    from tests.conftest import require

    require(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    from core.bulk import analyze

    insert_rows(JobRun, ["name"], [(f"job-{n}",) for n in range(300)])
    analyze(JobRun)

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [JobRun._meta.db_table])
        assert cursor.fetchone()[0] == 300
    JobRun.objects.all().delete()


def test_analyze_waits_for_the_transaction_to_end():
    with CaptureQueriesContext(connection) as queries:
        from core.bulk import analyze

        analyze(JobRun)  # inside the test's transaction: nothing asked
    assert not queries
