# ruff: noqa: S603  (the test starts the project's own interpreter)
"""A management command starts without the libraries only some commands use.

Every `manage.py` command sets Django up (apps, models, ready()) and most load the URLs (the system checks): what
they import is paid on each start. The servers' libraries (Twisted under daphne), segmentation, spreadsheets, PDF,
the search client, the scheduler and the clustering's numerics are imported where they are used. Start-up time
itself is measured by `python -m bench.startup`, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LAZY = (
    "twisted",
    "daphne",
    "autobahn",
    "jieba",
    "rjieba",
    "opencc",
    "pypinyin",
    "openpyxl",
    "reportlab",
    "elasticsearch",
    "apscheduler",
    "numpy",
    "scipy",
    "sklearn",
)
PROBE = """
import json, sys
sys.path[:0] = ["site", "."]
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
from django.core.management import get_commands
print(json.dumps({"loaded": sorted(m for m in sys.argv[1:] if m in sys.modules), "runserver": get_commands()["runserver"]}))
"""


def test_setting_up_and_loading_the_urls_imports_none_of_the_heavy_libraries(tmp_path):
    # given: the development settings, as `manage.py` starts them
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL"}}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.dev", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    # when
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *LAZY], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )

    # then: none is loaded, and `runserver` is still daphne's (core's command, which imports daphne when it runs)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["loaded"] == []
    assert report["runserver"] == "core"
