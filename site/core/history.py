"""A workflow's history as people read it: one sentence per step (who did what, when), and its note.

The alert workflow (`monitoring.alert_history`) and the report cases (`reports.case_history`) each map
their steps to sentences; both build these lines and write times the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import pgettext


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    sentence: str
    note_label: str = ""
    note: str = ""

    @property
    def note_text(self) -> str:
        """The step's note after its label ("Reason: …"), or nothing."""
        if not self.note:
            return ""
        return pgettext("history", "%(label)s: %(note)s") % {"label": self.note_label, "note": self.note}


def when(moment: datetime) -> str:
    """A moment as the active language writes its dates, on a 24-hour clock (2026年11月25日 10:03; Nov. 25, 2026 10:03)."""
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'DATE_FORMAT')} {formats.date_format(local, 'H:i')}"
