"""What an alert's evidence says, in words: the contract every rule's explanation fills (pure; no ORM)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitoring.explain import text

# Laws cited by the rules: a short key → the law's name (translated: the official Chinese title in zh-hans).
LAWS = {
    "licensing": gettext_lazy("Administrative Licensing Law"),
    "bidding": gettext_lazy("Bidding Law"),
    "bidding_regulation": gettext_lazy("Regulation on the Implementation of the Bidding Law"),
    "procurement": gettext_lazy("Government Procurement Law"),
    "procurement_regulation": gettext_lazy("Regulation on the Implementation of the Government Procurement Law"),
    "order39": gettext_lazy(
        "Rules on Transferring State-owned Construction Land Use Rights by Tender, Auction and Listing "
        "(Ministry of Land and Resources Order No. 39)"
    ),
    "order53": gettext_lazy("Measures on the Disposal of Idle Land (Ministry of Land and Resources Order No. 53)"),
    "order21": gettext_lazy(
        "Rules on Transferring State-owned Land Use Rights by Agreement (Ministry of Land and Resources Order No. 21)"
    ),
    "land_revenue": gettext_lazy(
        "Notice on Further Strengthening the Management of Land Transfer Revenue and Expenditure (Cai Zong (2009) No. 74)"
    ),
    "business_environment": gettext_lazy("Regulation on Optimising the Business Environment"),
    "civil_servants": gettext_lazy("Civil Servants Law"),
}


@dataclass(frozen=True)
class Basis:
    """One legal basis: a law and its article, or (law empty) a methodology or the record's own citation."""

    law: str
    article: str = ""
    note: str = ""

    def __str__(self) -> str:
        if not self.law:
            return self.note
        if text.chinese():
            cited = f"《{self.law}》{self.article}"
            return f"{cited}（{self.note}）" if self.note else cited
        cited = f"{self.law}, {self.article}" if self.article else self.law
        return f"{cited} ({self.note})" if self.note else cited


def law(key: str, number: int | None = None, paragraph: int | None = None, item: int | None = None, note="") -> Basis:
    return Basis(str(LAWS[key]), text.article(number, paragraph, item) if number else "", str(note))


def cited(citation: str) -> Basis:
    """A citation recorded with the data (a matter's own legal basis), shown as recorded."""
    return Basis("", "", citation)


def method(note) -> Basis:
    return Basis("", "", str(note))


def cardinal(code: str) -> Basis:
    return method(_("Open Contracting Partnership red-flag methodology, Cardinal indicator %(code)s") % {"code": code})


def fence_method(k, scale: str = "") -> str:
    """How a Tukey fence is drawn, in words (never "Q1 − k·IQR")."""
    k_text = text.number(k)
    if scale == "log prices":
        return _(
            "The limit is the first quartile minus %(k)s times the interquartile range, computed on the logarithms "
            "of the unit prices (prices spread by ratios)."
        ) % {"k": k_text}
    if scale == "log hours":
        return _(
            "The limit is the first quartile minus %(k)s times the interquartile range, computed on the logarithms "
            "of the office hours (08:00–18:00 on working days)."
        ) % {"k": k_text}
    if scale == "upper":
        return _("The limit is the third quartile plus %(k)s times the interquartile range of the population.") % {
            "k": k_text
        }
    return _("The limit is the first quartile minus %(k)s times the interquartile range of the population.") % {
        "k": k_text
    }


@dataclass(frozen=True)
class Distribution:
    """The comparison behind a population rule: the value against the quartiles and the fence."""

    value: float
    fence: float
    side: str  # "lower": flagged below the fence; "upper": above it
    q1: float | None = None
    q3: float | None = None
    log: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)  # value, fence, q1, q3 → formatted with units
    caption: str = ""


@dataclass
class Explanation:
    summary: str
    items: list[str] = field(default_factory=list)
    basis: list[Basis] = field(default_factory=list)
    method: str = ""
    distribution: Distribution | None = None
    people: list[tuple[str, str]] = field(default_factory=list)  # (role label, name) named in the evidence


Names = Callable[[str], str]
Explainer = Callable[[dict[str, Any], Names], Explanation]


def no_names(identifier: str) -> str:
    return identifier


def num(evidence: Mapping, key: str) -> float | None:
    value = evidence.get(key)
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
