"""Every rule explains its evidence: a sentence with the numbers in context and units, the items behind it,
the legal basis as law and article (or the methodology), and the comparison behind a population rule.

`explain(code, evidence, names)` is pure and runs at render time over the evidence stored with the alert
(`Alert.evidence`, unchanged), so an alert raised on arrival and one raised in a batch read alike.
`names(identifier)` gives an organisation's name for an OCDS id, or a region's for "region:<code>".
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from monitoring.explain.approval import EXPLAINERS as APPROVAL
from monitoring.explain.base import Basis, Distribution, Explanation, Names, no_names
from monitoring.explain.land import EXPLAINERS as LAND
from monitoring.explain.procurement import EXPLAINERS as PROCUREMENT

EXPLAINERS = {**LAND, **PROCUREMENT, **APPROVAL}

__all__ = ["EXPLAINERS", "Basis", "Distribution", "Explanation", "explain"]


def explain(code: str, evidence: dict[str, Any] | None, names: Names = no_names) -> Explanation:
    explainer = EXPLAINERS.get(code)
    if explainer is None or not isinstance(evidence, dict):
        return Explanation(summary=_("This rule no longer exists; its evidence is kept with the alert."))
    return explainer(evidence, names)
