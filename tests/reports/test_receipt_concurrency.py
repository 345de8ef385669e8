"""Many reporters filing at the same moment each get a receipt, and the receipts still form one chain."""

import threading

import pytest
from django.db import connection, connections

from regions.models import Region
from reports import receipts, services
from reports.models import Receipt, Report
from tests.conftest import require

FILERS = 50


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_reporters_filing_at_once_all_get_a_chained_receipt(regions, calendar):
    require(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    region = Region.objects.get(code="130626")
    start = threading.Barrier(FILERS)
    failures: list[BaseException] = []

    def file(n: int) -> None:
        try:
            start.wait(timeout=60)
            services.file_report(
                kind="procurement",
                subject_unit=f"定兴县第{n}中学",
                region=region,
                description=f"第{n}份举报：该单位在办公设备采购中将合同拆分为多个小额合同，规避公开招标。",
            )
        except BaseException as error:  # noqa: BLE001 - every failure is reported by the test
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=file, args=(n,)) for n in range(FILERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert Report.objects.count() == FILERS
    assert sorted(Receipt.objects.values_list("sequence", flat=True)) == list(range(1, FILERS + 1))
    check = receipts.verify_receipts()
    assert check.ok, check.problem
    assert check.checked == FILERS
