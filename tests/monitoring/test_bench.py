"""monitoring_bench: agreement with Cardinal on the real sample for all eleven indicators, and --latency."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from monitoring.models import Alert
from tests.conftest import require

OCDS = Path(__file__).resolve().parents[3] / "shared" / "data" / "ocds"
PERFECT = {"missed": 0, "extra": 0, "different": 0}


def last_json(out: io.StringIO) -> dict:
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("ini", "output"),
    [
        ("cardinal-settings.ini", "real_examples_shared.cardinal.json"),
        ("cardinal-settings-tuned.ini", "real_examples_shared.tuned.cardinal.json"),
    ],
)
def test_agreement_with_cardinal_on_the_real_sample(ini, output):
    require((OCDS / "real_examples_shared.jsonl").exists(), "../shared/data/ocds is missing")
    out = io.StringIO()

    call_command(
        "monitoring_bench",
        ocds=str(OCDS / "real_examples_shared.jsonl"),
        ini=str(OCDS / ini),
        cardinal=str(OCDS / output),
        compat=True,
        repeat=1,
        stdout=out,
    )

    result = last_json(out)
    assert result["processes"] == 105 and result["prepared"] is True
    assert result["not_implemented"] == [] and len(result["implemented"]) == 11
    assert result["agreement"]["R003"] == {"matched": 30, **PERFECT}
    assert result["agreement"]["R018"] == {"matched": 2, **PERFECT}
    for code in ("R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058"):
        assert result["agreement"][code] == {"matched": 0, **PERFECT}, code
    assert result["processes_per_s"] > 0 and result["peak_mb"] > 0


def test_a_missing_file_is_named():
    with pytest.raises(CommandError, match="nowhere.jsonl"):
        call_command("monitoring_bench", ocds="nowhere.jsonl", stdout=io.StringIO())


def test_a_bad_setting_is_named(tmp_path):
    ini = tmp_path / "settings.ini"
    ini.write_text("[R024]\nthreshold = low\n", encoding="utf-8")
    release = tmp_path / "releases.jsonl"
    release.write_text('{"ocid": "x"}\n', encoding="utf-8")

    with pytest.raises(CommandError, match=r"settings.ini: \[R024\] threshold = 'low': not a number"):
        call_command("monitoring_bench", ocds=str(release), ini=str(ini), stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_latency_from_ingest_to_the_staff_websocket():
    # given the disposable test database (the command's own default makes and drops one)
    out = io.StringIO()

    # when three records go through the ingest API
    call_command("monitoring_bench", latency=3, latency_database="current", stdout=out)

    # then each red alert reached the inspector's socket, and the figures are in the last line
    result = last_json(out)
    assert result["latency_records"] == 3
    assert 0 < result["latency_p50_ms"] <= result["latency_p95_ms"]
    assert Alert.objects.filter(rule_code="L001").count() == 3


def test_the_whole_job_runs_as_a_process_without_django(tmp_path):
    # given Cardinal's own settings and output for the real sample
    require((OCDS / "real_examples_shared.jsonl").exists(), "../shared/data/ocds is missing")
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]

    # when the benchmark runs as its own process, as Cardinal's prepare + indicators would
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "monitoring.bench",
            "--ocds",
            str(OCDS / "real_examples_shared.jsonl"),
            "--settings",
            str(OCDS / "cardinal-settings.ini"),
            "--cardinal",
            str(OCDS / "real_examples_shared.cardinal.json"),
            "--compat",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    # then it never imported Django, agrees with Cardinal, and says how long the whole process took
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["django"] is False and result["processes"] == 105
    assert result["agreement"]["R003"] == {"matched": 30, **PERFECT}
    assert result["process_s"] is not None and result["process_s"] > 0
    assert 0 < result["median_pass_cpu_ms"] <= result["process_s"] * 1000  # CPU of the pass, apart from the waits


def test_derived_files_cycle_through_the_real_releases(tmp_path):
    require((OCDS / "real_examples_shared.jsonl").exists(), "../shared/data/ocds is missing")
    from monitoring.bench import derive

    out = tmp_path / "derived.jsonl"
    assert derive(OCDS / "real_examples_shared.jsonl", 250, out) == 250

    ocids = [json.loads(line)["ocid"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(ocids) == len(set(ocids)) == 250 and ocids[105] == f"{ocids[0]}#1"


def test_manage_py_runs_the_indicator_benchmark_without_starting_django():
    """`manage.py monitoring_bench` is the whole process compared with Cardinal's: no Django start-up in it."""
    require((OCDS / "real_examples_shared.jsonl").exists(), "../shared/data/ocds is missing")
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    run = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [
            sys.executable,
            str(root / "manage.py"),
            "monitoring_bench",
            "--ocds",
            str(OCDS / "real_examples_shared.jsonl"),
            "--settings",
            str(OCDS / "cardinal-settings.ini"),
            "--compat",
            "--repeat",
            "1",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["django"] is False and result["processes"] == 105 and result["prepared"] is True
    assert result["flags"]["OCID"] == 30
