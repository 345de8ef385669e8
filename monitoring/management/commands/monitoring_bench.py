"""Benchmark and agreement check of the procurement indicators over an OCDS file.

    python manage.py monitoring_bench --ocds FILE.jsonl [--settings INI] [--cardinal OUTPUT.json] [--compat]

Prints processes per second and peak memory for parse-and-evaluate in batch, and, with --cardinal, the
agreement with Cardinal's output per implemented indicator (matched, missed, extra). The last line is one
JSON object. Indicators not implemented yet are listed as such, not counted as agreeing.
"""

import json
import resource
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monitoring.ocds import ReadReport, iter_releases
from monitoring.rules.procurement import INDICATORS, CardinalSettings, evaluate_release

CARDINAL_INDICATORS = ["R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058"]


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--ocds", required=True, help="compiled releases, one per line")
        parser.add_argument(
            "--cardinal-settings", dest="ini", help="Cardinal settings file (INI); --settings also works"
        )
        parser.add_argument("--cardinal", help="Cardinal's output (JSON) to compare with")
        parser.add_argument("--compat", action="store_true", help="Cardinal-compatible mode")
        parser.add_argument("--repeat", type=int, default=5, help="timed passes; the median is reported")

    def handle(self, *args, ocds, ini, cardinal, compat, repeat, **options):
        path = Path(ocds)
        if not path.exists():
            raise CommandError(f"{ocds}: no such file")
        config = CardinalSettings.from_ini(Path(ini).read_text(encoding="utf-8")) if ini else CardinalSettings()
        timings, flags, report = [], {}, ReadReport()
        for run in range(max(1, repeat)):
            report = ReadReport()
            started = time.perf_counter()
            flags = {}
            with path.open(encoding="utf-8") as handle:
                for release in iter_releases(handle, report):
                    found = evaluate_release(release, config, compat=compat)
                    if found:
                        flags[release["ocid"]] = found
            timings.append(time.perf_counter() - started)
            self.stdout.write(f"  pass {run + 1}/{repeat}: {report.releases} processes in {timings[-1] * 1000:.1f} ms")
        median = sorted(timings)[len(timings) // 2]
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for problem in report.problems:
            self.stderr.write(problem)
        result = {
            "processes": report.releases,
            "processes_per_s": round(report.releases / median) if median else None,
            "peak_mb": round(peak_mb, 1),
            "compat": compat,
            "implemented": sorted(INDICATORS),
            "not_implemented": [code for code in CARDINAL_INDICATORS if code not in INDICATORS],
            "skipped_lines": len(report.problems),
        }
        if cardinal:
            expected = json.loads(Path(cardinal).read_text(encoding="utf-8")).get("OCID", {})
            agreement = {}
            for code in sorted(INDICATORS):
                theirs = {ocid for ocid, values in expected.items() if code in values}
                ours = {ocid for ocid, values in flags.items() if code in values}
                agreement[code] = {
                    "matched": len(theirs & ours),
                    "missed": len(theirs - ours),
                    "extra": len(ours - theirs),
                }
                self.stdout.write(f"  {code}: {agreement[code]}")
            result["agreement"] = agreement
        self.stdout.write(
            f"{result['processes']} processes, median {median * 1000:.1f} ms a pass, "
            f"{result['processes_per_s']} processes/s, peak {result['peak_mb']} MB"
        )
        self.stdout.write(json.dumps(result, ensure_ascii=False))
