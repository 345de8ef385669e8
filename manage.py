#!/usr/bin/env python
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main() -> None:
    # site/ is a source root (a package cannot be named `site`); the domain apps sit at the top.
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "site"))
    argv = list(sys.argv)
    if len(argv) > 1 and argv[1] == "monitoring_bench" and not any(a.startswith("--latency") for a in argv):
        # The indicator benchmark needs no Django: it runs as a whole process, start-up included, to compare
        # with Cardinal's own `prepare` + `indicators` (docs/monitoring-rules.md). --latency needs the site.
        from monitoring.bench import main as bench_main

        sys.exit(bench_main(["--repeat", "5", *argv[2:]]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    if len(argv) > 1 and argv[1] == "monitoring_bench":
        # Its --settings names a Cardinal settings file (INI), not Django's settings module.
        argv = ["--cardinal-settings" if arg == "--settings" else arg for arg in argv]
        argv = [
            arg.replace("--settings=", "--cardinal-settings=", 1) if arg.startswith("--settings=") else arg
            for arg in argv
        ]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
