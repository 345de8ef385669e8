"""Procurement rules beyond Cardinal (default mode), over plain facts: no ORM inside.

A process is described by `ProcessFacts` (its awards and contracts); rules that look at the buyer's other
purchases receive them as `BuyerHistory`. The adapter in `monitoring.procurement.services` builds both from
the stored records, the same way on arrival and in the batch re-evaluation.

Amounts are compared only within one currency: thresholds are in the deployment's currency (defaults are
Chinese figures in yuan) and an administrator can change them in the admin (Settings › Monitoring rules).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

from monitoring.rules.base import Finding, Rule

ACTIVE_AWARD = "active"


@dataclass(frozen=True)
class AwardFact:
    ocid: str
    award_id: str
    buyer: str  # a stable key of the buyer (its entity id), "" if unknown
    suppliers: tuple[str, ...]  # stable keys of the suppliers
    supplier_names: tuple[str, ...] = ()
    classification: str = ""  # the first item's classification id (e.g. a CPV code)
    amount: float | None = None
    currency: str = ""
    date: datetime | None = None
    status: str = ""
    lot_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContractFact:
    contract_id: str
    award_id: str
    amount: float | None
    currency: str
    award_amount: float | None  # the value agreed at award: the contract's starting point
    award_currency: str
    amendment_dates: tuple[str, ...] = ()
    status: str = ""


@dataclass(frozen=True)
class ProcessFacts:
    ocid: str
    buyer: str = ""
    buyer_name: str = ""
    estimate: float | None = None  # tender.value
    estimate_currency: str = ""
    lot_estimates: dict[str, tuple[float, str]] = field(default_factory=dict)  # lot id → (amount, currency)
    awards: tuple[AwardFact, ...] = ()
    contracts: tuple[ContractFact, ...] = ()


@dataclass(frozen=True)
class BuyerHistory:
    """The buyer's awards known so far (this process's included), for the rules that compare purchases."""

    awards: tuple[AwardFact, ...] = ()
    today: Any = None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _award_row(award: AwardFact) -> dict[str, Any]:
    return {
        "ocid": award.ocid,
        "award": award.award_id,
        "amount": _round(award.amount),
        "currency": award.currency,
        "date": award.date.isoformat() if award.date else None,
        "suppliers": list(award.supplier_names or award.suppliers),
    }


class SplitPurchases(Rule):
    code = "P101"
    domain = "procurement"
    title = _("Purchases split to stay under the threshold")
    description = _(
        "The same buyer made several awards, each just under the open-tender threshold, to the same supplier or "
        "for the same class of items within a short window, and together they exceed it: one purchase may have "
        "been split to avoid an open tender."
    )
    basis = "政府采购法第二十八条（不得将应当以公开招标方式采购的货物或者服务化整为零）；实施条例第二十八条"
    default_severity = "yellow"
    default_params = {
        "threshold": 2_000_000,
        "band": 0.8,
        "window_days": 90,
        "min_awards": 2,
        "classification_digits": 4,
    }

    def evaluate(self, record: ProcessFacts, context: BuyerHistory, params: dict[str, Any], severity: str):
        threshold, low = params["threshold"], params["threshold"] * params["band"]
        window = timedelta(days=params["window_days"])
        digits = int(params["classification_digits"])

        def just_under(award: AwardFact) -> bool:
            return (
                award.status == ACTIVE_AWARD
                and award.amount is not None
                and award.date is not None
                and low <= award.amount < threshold
            )

        for award in record.awards:
            if not just_under(award) or not record.buyer:
                continue
            earlier = [
                other
                for other in context.awards
                if other.buyer == record.buyer
                and other.currency == award.currency
                and just_under(other)
                and award.date - window <= other.date <= award.date
            ]
            prefix = award.classification[:digits]
            groups = {
                "supplier": [o for o in earlier if set(o.suppliers) & set(award.suppliers)],
                "classification": [o for o in earlier if prefix and o.classification[:digits] == prefix],
            }
            for by, same in groups.items():
                parts = sorted({(o.ocid, o.award_id): o for o in same}.values(), key=lambda o: o.date)
                total = sum(o.amount for o in parts)
                if len(parts) >= params["min_awards"] and total > threshold:
                    return self.finding(
                        severity,
                        {
                            "grouped_by": by,
                            "supplier" if by == "supplier" else "classification_prefix": (
                                list(award.supplier_names or award.suppliers) if by == "supplier" else prefix
                            ),
                            "awards": [_award_row(o) for o in parts],
                            "sum": _round(total),
                            "currency": award.currency,
                            "threshold": threshold,
                            "just_under_from": _round(low),
                            "window_days": params["window_days"],
                            "processes": sorted({o.ocid for o in parts}),
                        },
                    )
        return None


class AwardFarBelowEstimate(Rule):
    code = "P102"
    domain = "procurement"
    title = _("Award far below the estimated value")
    description = _(
        "The awarded value is at most the configured share of the tender's estimated value (per lot when the "
        "lots carry values): a sign of a wrong estimate, a dumping bid, or an award to be amended upward later."
    )
    basis = "Ukraine State Audit Service risk indicators (award ≥ 30 % below the expected value)"
    default_severity = "blue"
    default_params = {"max_share": 0.7}

    def evaluate(self, record: ProcessFacts, context: Any, params: dict[str, Any], severity: str):
        active = [a for a in record.awards if a.status == ACTIVE_AWARD and a.amount is not None]
        if not active:
            return None
        comparisons = []
        by_lot = record.lot_estimates and all(a.lot_ids for a in active)
        if by_lot:
            for lot_id, (estimate, currency) in record.lot_estimates.items():
                awarded = [a for a in active if lot_id in a.lot_ids and a.currency == currency]
                if awarded and estimate > 0:
                    comparisons.append((lot_id, sum(a.amount for a in awarded), estimate, currency))
        elif record.estimate and record.estimate > 0:
            awarded = [a for a in active if a.currency == record.estimate_currency]
            if awarded and len(awarded) == len(active):
                comparisons.append(("", sum(a.amount for a in awarded), record.estimate, record.estimate_currency))
        for lot_id, awarded_total, estimate, currency in comparisons:
            share = awarded_total / estimate
            if awarded_total > 0 and share <= params["max_share"]:
                return self.finding(
                    severity,
                    {
                        "awarded": _round(awarded_total),
                        "estimate": _round(estimate),
                        "currency": currency,
                        "share": round(share, 4),
                        "threshold": params["max_share"],
                        **({"lot": lot_id} if lot_id else {}),
                    },
                )
        return None


class RepeatedAmendments(Rule):
    code = "P103"
    domain = "procurement"
    title = _("Contract amended repeatedly or its value grown")
    description = _(
        "A contract was amended at least the configured number of times, or its value grew above the configured "
        "share over the value awarded: the competition was won on terms that were then changed."
    )
    basis = "政府采购法第四十九条（追加采购金额不得超过原合同采购金额的百分之十）"
    default_severity = "yellow"
    default_params = {"min_amendments": 3, "max_growth": 0.1}

    def evaluate(self, record: ProcessFacts, context: Any, params: dict[str, Any], severity: str):
        for contract in record.contracts:
            growth = None
            if (
                contract.amount is not None
                and contract.award_amount
                and contract.award_amount > 0
                and contract.currency == contract.award_currency
            ):
                growth = contract.amount / contract.award_amount - 1
            many = len(contract.amendment_dates) >= params["min_amendments"]
            grown = growth is not None and growth > params["max_growth"]
            if many or grown:
                return self.finding(
                    severity,
                    {
                        "contract": contract.contract_id,
                        "amendments": len(contract.amendment_dates),
                        "amendment_dates": list(contract.amendment_dates),
                        "min_amendments": params["min_amendments"],
                        "awarded": _round(contract.award_amount),
                        "contract_value": _round(contract.amount),
                        "currency": contract.currency,
                        "growth": None if growth is None else round(growth, 4),
                        "max_growth": params["max_growth"],
                    },
                )
        return None


class RepeatedWinner(Rule):
    """Judged per (buyer, supplier) pair: one alert for the pair, not one per award (`scope = "pair"`)."""

    code = "P104"
    scope = "pair"
    domain = "procurement"
    title = _("The same supplier keeps winning from one buyer")
    description = _(
        "One supplier won at least the configured number of the buyer's awards and at least the configured share "
        "of all of them."
    )
    basis = "Open Contracting red flags: supplier concentration"
    default_severity = "yellow"
    default_params = {"min_awards": 5, "min_share": 0.5}

    def evaluate(self, record: ProcessFacts, context: BuyerHistory, params: dict[str, Any], severity: str):
        """Returns a finding whose evidence names the supplier key in `pair_supplier`, or None."""
        if not record.buyer:
            return None
        awards = [a for a in context.awards if a.buyer == record.buyer and a.status == ACTIVE_AWARD]
        mine = {s for a in record.awards if a.status == ACTIVE_AWARD for s in a.suppliers}
        if not awards or not mine:
            return None
        wins = Counter(s for a in awards for s in set(a.suppliers))
        for supplier in sorted(mine, key=lambda s: (-wins[s], s)):
            share = wins[supplier] / len(awards)
            if wins[supplier] >= params["min_awards"] and share >= params["min_share"]:
                won = [a for a in awards if supplier in a.suppliers]
                name = next(
                    (n for a in won for k, n in zip(a.suppliers, a.supplier_names, strict=False) if k == supplier),
                    supplier,
                )
                return self.finding(
                    severity,
                    {
                        "pair_supplier": supplier,
                        "supplier": name,
                        "buyer": record.buyer_name or record.buyer,
                        "wins": wins[supplier],
                        "buyer_awards": len(awards),
                        "share": round(share, 4),
                        "min_awards": params["min_awards"],
                        "min_share": params["min_share"],
                        "processes": sorted({a.ocid for a in won}),
                    },
                )
        return None


PROCUREMENT_RULES: list[Rule] = [SplitPurchases(), AwardFarBelowEstimate(), RepeatedAmendments(), RepeatedWinner()]


class CardinalIndicator(Rule):
    """A Cardinal indicator as seen by administrators and inspectors: code, title, severity, switch.

    The arithmetic lives in `monitoring.rules.procurement`; its thresholds come from the source's
    Cardinal settings file, so the admin sets only whether the indicator raises alerts and how severe.
    """

    domain = "procurement"

    def __init__(self, code: str, title, description, severity: str = "yellow") -> None:
        self.code, self.title, self.description, self.default_severity = code, title, description, severity
        self.default_params = {}
        self.basis = "Open Contracting Partnership, Cardinal (cardinal-rs 0.0.8)"

    def flag(self, evidence: dict[str, Any], severity: str) -> Finding:
        return self.finding(severity, evidence)


CARDINAL_RULES: list[CardinalIndicator] = [
    CardinalIndicator(
        "R003",
        _("Short submission period"),
        _("The tender period is shorter than the threshold in whole days."),
        "yellow",
    ),
    CardinalIndicator("R018", _("Single bid"), _("An open or selective procedure received a single bid."), "yellow"),
    CardinalIndicator(
        "R024",
        _("Price close to the winning bid"),
        _("The second-lowest valid bid is unusually close to the winning bid (below the lower fence)."),
        "yellow",
    ),
    CardinalIndicator(
        "R025",
        _("Excessive unsuccessful bids"),
        _("A tenderer among the most active bids very often without winning (win ratio below the lower fence)."),
        "blue",
    ),
    CardinalIndicator(
        "R028",
        _("Identical bid prices"),
        _("Two tenderers submitted bids with the same amount and currency."),
        "yellow",
    ),
    CardinalIndicator(
        "R030",
        _("Late bid won"),
        _("A bid submitted after the tender period's end belongs to the supplier of an active award."),
        "red",
    ),
    CardinalIndicator(
        "R035",
        _("All except the winner disqualified"),
        _("One tenderer with valid bids won and every other tenderer was disqualified."),
        "yellow",
    ),
    CardinalIndicator(
        "R036",
        _("Lowest bid disqualified"),
        _("The lowest submitted bid was disqualified while a valid bid exists."),
        "yellow",
    ),
    CardinalIndicator(
        "R038",
        _("Excessive disqualified bids"),
        _("The share of disqualified bids is above the upper fence, per buyer, procuring entity or tenderer."),
        "blue",
    ),
    CardinalIndicator(
        "R048",
        _("Heterogeneous supplier"),
        _("A supplier wins across an unusually wide range of item classifications."),
        "blue",
    ),
    CardinalIndicator(
        "R058",
        _("Heavily discounted bid"),
        _("The winning bid is far below the second-lowest valid bid (ratio above the upper fence)."),
        "yellow",
    ),
]
CARDINAL = {rule.code: rule for rule in CARDINAL_RULES}
ALL_RULES: list[Rule] = [*PROCUREMENT_RULES, *CARDINAL_RULES]
RULES_BY_CODE = {rule.code: rule for rule in ALL_RULES}
