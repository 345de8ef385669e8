"""import_ocds: the real sample, malformed lines reported and skipped, idempotency, packages, dry runs."""

import io
import json

import pytest
from django.core.management import call_command

from monitoring.models import Alert
from monitoring.procurement.models import Award, Bid, DataProblem, Process, SourceSettings
from tests.monitoring.procurement.conftest import PREPARE, SAMPLE, variant


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ocds", *map(str, args), "--quiet", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_real_sample_imports_whole_and_again_changes_nothing(regions):
    out, _ = run(SAMPLE, "--source", "sample-data", "--prepare", PREPARE)

    assert "105 created" in out and "0 skipped" in out
    assert Process.objects.count() == 105
    assert Bid.objects.count() == sum(
        len((json.loads(line).get("bids") or {}).get("details") or []) for line in SAMPLE.open(encoding="utf-8")
    )
    # Cardinal's R003 flags the same 30 processes as cardinal-rs on this sample (DOMAIN §3)
    assert Alert.objects.filter(rule_code="R003").count() == 30
    # the source's codelist map was applied: ProZorro's "active" awards and Moldova's empty statuses
    assert SourceSettings.objects.get(source__name="sample-data").default_region_id == "000000"
    assert not Award.objects.filter(process__ocid__startswith="ocds-be6bcu", status="").exists()
    alerts = Alert.objects.count()

    again, _ = run(SAMPLE, "--source", "sample-data")
    assert "0 created, 0 updated, 105 unchanged" in again and "0 new alerts" in again
    assert Alert.objects.count() == alerts


def test_malformed_lines_are_reported_by_number_and_the_rest_is_kept(tmp_path, sample_rows, regions):
    bad_amount = dict(sample_rows[2], ocid="ocds-test-bad-amount")
    bad_amount["tender"] = {**bad_amount["tender"], "value": {"amount": "many", "currency": "UAH"}}
    lines = [
        json.dumps(sample_rows[0]),
        "{not json",
        json.dumps({"tender": {"title": "no ocid"}}),
        json.dumps(bad_amount, ensure_ascii=False),
        "",
        json.dumps(sample_rows[1]),
    ]
    path = tmp_path / "releases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    out, err = run(path)

    assert "3 created" in out and "2 skipped" in out
    assert "line 2: not JSON" in err and "line 3: not a compiled release with an ocid" in err
    assert "line 4 (ocds-test-bad-amount): tender.value.amount: not a number" in err
    problem = DataProblem.objects.get(ocid="ocds-test-bad-amount", field="tender.value.amount")
    assert problem.value == '"many"'
    assert Process.objects.get(ocid="ocds-test-bad-amount").tender_value is None


def test_a_pretty_printed_package_and_line_packages_are_read(tmp_path, base_release, regions):
    package = {"uri": "x", "releases": [variant(base_release, "ocds-test-p1"), variant(base_release, "ocds-test-p2")]}
    pretty = tmp_path / "package.json"
    pretty.write_text(json.dumps(package, indent=2, ensure_ascii=False), encoding="utf-8")
    lines = tmp_path / "packages.jsonl"
    lines.write_text(
        json.dumps({"releases": [variant(base_release, "ocds-test-p3"), {"no": "ocid"}]}) + "\n", encoding="utf-8"
    )

    out_pretty, _ = run(pretty)
    out_lines, err_lines = run(lines)

    assert "2 created" in out_pretty and "1 created" in out_lines
    assert "line 1 release [1]: not a compiled release with an ocid" in err_lines
    assert set(Process.objects.values_list("ocid", flat=True)) == {"ocds-test-p1", "ocds-test-p2", "ocds-test-p3"}


def test_a_dry_run_stores_nothing(regions):
    out, _ = run(SAMPLE, "--dry-run")

    assert "105 created" in out and "dry run" in out
    assert not Process.objects.exists() and not Alert.objects.exists()


def test_an_unreadable_file_is_a_command_error(tmp_path, regions):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        run(tmp_path / "missing.jsonl")
