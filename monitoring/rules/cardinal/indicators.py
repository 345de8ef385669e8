"""The indicators that one compiled release decides alone, and the helpers every indicator shares.

Each function takes a release (a dict), the settings and the mode, and returns the evidence of a flag or
None. With `compat=True` they follow cardinal-rs 0.0.8 to the letter (which bids count, which awards are
final, how dates and currencies compare); the default mode departs from it only where noted.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from monitoring.ocds import parse_rfc3339
from monitoring.rules.cardinal.settings import CardinalSettings

# Bid statuses that mean a bid was not submitted (OCDS bid status codelist).
NOT_SUBMITTED = frozenset({"invited", "withdrawn"})


_NUMBERS = (int, float)


def is_number(value: Any) -> TypeGuard[int | float]:
    return type(value) in _NUMBERS  # a bool is not a number here (type(True) is bool)


# "Not computed yet", for the values the population pass computes once per release and hands to indicators.
_UNSET: Any = object()


_EMPTY: dict = {}


def tender_of(release: dict) -> dict:
    tender = release.get("tender")
    return tender if type(tender) is dict else _EMPTY


def is_cancelled(release: dict) -> bool:
    """Cardinal skips a contracting process whose tender is cancelled, for every indicator."""
    return tender_of(release).get("status") == "cancelled"


def matches_method_details(release: dict, include: set[str], exclude: set[str]) -> bool:
    """Cardinal's allow list (if non-empty) or deny list on `tender.procurementMethodDetails`."""
    details = tender_of(release).get("procurementMethodDetails")
    if type(details) is str:
        return details not in exclude if not include else details in include
    return not include


def compares_prices(release: dict, settings: CardinalSettings) -> bool:
    """Price indicators skip methods without price comparison (e.g. random selection)."""
    return matches_method_details(release, settings.price_comparison_methods, settings.no_price_comparison_methods)


def bid_details(release: dict) -> list:
    bids = release.get("bids")
    if isinstance(bids, dict):
        details = bids.get("details")
        if isinstance(details, list):
            return details
    return []


def submitted_bids(release: dict) -> list[dict]:
    """Pending, valid and disqualified bids: any bid with a status other than invited or withdrawn."""
    return [
        bid
        for bid in bid_details(release)
        if isinstance(bid, dict) and isinstance(status := bid.get("status"), str) and status not in NOT_SUBMITTED
    ]


def complete_awards_and_bids(release: dict) -> tuple[list[dict], list] | None:
    """The active awards and the bids, or None while any award is not final (pending, or an unknown status).

    Awards without a status are ignored; cancelled and unsuccessful awards are earlier attempts.
    """
    awards = release.get("awards")
    bids = release.get("bids")
    if not isinstance(awards, list) or not isinstance(bids, dict) or not isinstance(bids.get("details"), list):
        return None
    complete = []
    for award in awards:
        if not isinstance(award, dict):
            continue
        status = award.get("status")
        if isinstance(status, str):
            if status == "active":
                complete.append(award)
            elif status not in ("cancelled", "unsuccessful"):
                return None
    return complete, bids["details"]


def single_supplier_of_only_award(release: dict, found: Any = _UNSET) -> tuple[str, list] | None:
    """The supplier of the one active award (with one supplier), and the bids, once all awards are final."""
    if found is _UNSET:
        found = complete_awards_and_bids(release)
    if found is None:
        return None
    complete, details = found
    if len(complete) != 1:
        return None
    suppliers = complete[0].get("suppliers")
    if not isinstance(suppliers, list) or len(suppliers) != 1 or not isinstance(suppliers[0], dict):
        return None
    supplier_id = suppliers[0].get("id")
    return (supplier_id, details) if isinstance(supplier_id, str) else None


def valid_priced_bids(details: list) -> list[tuple[str, float, str]]:
    """(tenderer, amount, currency) of each valid bid with an amount, a currency and exactly one tenderer."""
    found = []
    for bid in details:
        if not isinstance(bid, dict) or bid.get("status") != "valid":
            continue
        value, tenderers = bid.get("value"), bid.get("tenderers")
        if not isinstance(value, dict) or not isinstance(tenderers, list) or len(tenderers) != 1:
            continue
        amount, currency = value.get("amount"), value.get("currency")
        tenderer = tenderers[0]
        if is_number(amount) and isinstance(currency, str) and isinstance(tenderer, dict):
            tenderer_id = tenderer.get("id")
            if isinstance(tenderer_id, str):
                found.append((tenderer_id, float(amount), currency))
    return found


def string_ids(objects: Any) -> list[str]:
    """The string `id` of each object in a list (others skipped)."""
    if type(objects) is not list:
        return []
    if len(objects) == 1:  # the common case: one tenderer, one supplier
        obj = objects[0]
        identifier = obj.get("id") if type(obj) is dict else None
        return [identifier] if type(identifier) is str else []
    return [obj["id"] for obj in objects if type(obj) is dict and type(obj.get("id")) is str]


class CurrencyState:
    """Cardinal compares amounts in one currency for the whole run: the configured one, else the first seen."""

    __slots__ = ("currency",)

    def __init__(self, currency: str | None) -> None:
        self.currency = currency

    def accepts(self, currency: str) -> bool:
        if self.currency is None:
            self.currency = currency
        return currency == self.currency


# R003 ----------------------------------------------------------------------------------------------------------


def r003_short_submission_period(release: dict, settings: CardinalSettings, *, compat: bool = True) -> dict | None:
    """Whole days between the tender period's start and end below the threshold (per method details if set).

    Cardinal skips dates without a UTC offset; the default mode reads them as UTC.
    """
    tender = tender_of(release)
    if settings.r003_methods is not None and tender.get("procurementMethod") not in settings.r003_methods:
        return None
    period = tender.get("tenderPeriod")
    if not isinstance(period, dict):
        return None
    start = parse_rfc3339(period.get("startDate"), require_offset=compat)
    end = parse_rfc3339(period.get("endDate"), require_offset=compat)
    if start is None or end is None:
        return None
    days = (end - start).days  # whole days, rounded down
    details = tender.get("procurementMethodDetails")
    threshold = settings.r003_threshold
    if isinstance(details, str):
        threshold = settings.r003_thresholds_by_details.get(details, threshold)
    if days >= threshold:
        return None
    return {
        "value": 1.0,
        "days": days,
        "threshold": threshold,
        "start": period.get("startDate"),
        "end": period.get("endDate"),
    }


# R018 ----------------------------------------------------------------------------------------------------------


def r018_single_bid(release: dict, settings: CardinalSettings, *, compat: bool = True) -> dict | None:
    """An open or selective procedure with one tenderer.

    Cardinal trusts `tender.numberOfTenderers`; the default mode counts distinct tenderers among the
    submitted bids when there are any, since the declared number is often missing or wrong.
    """
    tender = tender_of(release)
    if tender.get("procurementMethod") not in settings.r018_methods:
        return None
    declared = tender.get("numberOfTenderers")
    if compat:
        # serde_json's `as_u64`: an integer 1 (not 1.0) counts.
        one = isinstance(declared, int) and not isinstance(declared, bool) and declared == 1
        return {"value": 1.0, "numberOfTenderers": declared} if one else None
    tenderers = {tid for bid in submitted_bids(release) for tid in string_ids(bid.get("tenderers"))}
    count = len(tenderers) if tenderers else declared
    if not (is_number(count) and count == 1):
        return None
    return {"value": 1.0, "tenderers": count, "numberOfTenderers": declared, "counted_from_bids": bool(tenderers)}


# R028 ----------------------------------------------------------------------------------------------------------


def r028_identical_bid_prices(
    release: dict, settings: CardinalSettings, *, compat: bool = True, submitted: Any = _UNSET
) -> dict | None:
    """Two submitted bids from different tenderers (sets of tenderers) with the same amount and currency."""
    if not compares_prices(release, settings):
        return None
    prices: dict[tuple[float, str], frozenset[str]] = {}
    tenderers: set[str] = set()
    pairs = []
    for bid in submitted_bids(release) if submitted is _UNSET else submitted:
        value = bid.get("value")
        if not isinstance(value, dict) or not isinstance(bid.get("tenderers"), list):
            continue
        amount, currency = value.get("amount"), value.get("currency")
        if not is_number(amount) or not isinstance(currency, str):
            continue
        ids = frozenset(string_ids(bid["tenderers"]))
        if not ids:
            continue
        price = (float(amount), currency)
        other = prices.get(price)
        if other is not None and ids != other:
            tenderers |= ids | other
            pairs.append({"amount": amount, "currency": currency, "tenderers": sorted(ids | other)})
        prices[price] = ids
    if not pairs:
        return None
    return {"value": 1.0, "tenderers": sorted(tenderers), "identical_prices": pairs}


# R030 ----------------------------------------------------------------------------------------------------------


def r030_late_bid_won(release: dict, settings: CardinalSettings, *, compat: bool = True) -> dict | None:
    """A valid bid dated after the tender period's end, by a supplier of an active award.

    Cardinal compares the date strings as text (so offsets other than the end date's mislead it); the
    default mode compares instants, reading dates without an offset as UTC.
    """
    period = tender_of(release).get("tenderPeriod")
    awards = release.get("awards")
    bids = release.get("bids")
    if not isinstance(period, dict) or not isinstance(awards, list) or not isinstance(bids, dict):
        return None
    end_date, details = period.get("endDate"), bids.get("details")
    if not isinstance(end_date, str) or not isinstance(details, list):
        return None
    end = None if compat else parse_rfc3339(end_date, require_offset=False)
    if not compat and end is None:
        return None
    suppliers = {
        supplier_id
        for award in awards
        if isinstance(award, dict) and award.get("status") == "active"
        for supplier_id in string_ids(award.get("suppliers"))
    }
    late = {}
    for bid in details:
        if not isinstance(bid, dict) or bid.get("status") != "valid" or not isinstance(bid.get("tenderers"), list):
            continue
        date = bid.get("date")
        if not isinstance(date, str):
            continue
        if compat:
            if not date > end_date:
                continue
        else:
            moment = parse_rfc3339(date, require_offset=False)
            assert end is not None  # parsed above when not in compat mode
            if moment is None or moment <= end:
                continue
        for tenderer_id in string_ids(bid["tenderers"]):
            if tenderer_id in suppliers:
                late[tenderer_id] = date
    if not late:
        return None
    return {"value": 1.0, "tenderers": sorted(late), "bid_dates": late, "end_date": end_date}


# R035 ----------------------------------------------------------------------------------------------------------


def r035_all_except_winner_disqualified(
    release: dict, settings: CardinalSettings, *, compat: bool = True, found: Any = _UNSET
) -> dict | None:
    """One tenderer has valid bids, it won every active award, and at least `threshold` others were disqualified."""
    if found is _UNSET:
        found = complete_awards_and_bids(release)
    if found is None:
        return None
    complete, details = found
    suppliers = {supplier_id for award in complete for supplier_id in string_ids(award.get("suppliers"))}
    valid, disqualified = set(), set()
    for bid in details:
        if not isinstance(bid, dict) or not isinstance(bid.get("status"), str):
            continue
        if not isinstance(bid.get("tenderers"), list):
            continue
        status = bid["status"]
        if status == "valid":
            valid.update(string_ids(bid["tenderers"]))
        elif status == "disqualified":
            disqualified.update(string_ids(bid["tenderers"]))
    if len(valid) != 1 or valid != suppliers:
        return None
    others = disqualified - valid
    if len(others) < settings.r035_threshold:
        return None
    (winner,) = valid
    return {
        "value": float(len(others)),
        "winner": winner,
        "disqualified": sorted(others),
        "threshold": settings.r035_threshold,
    }


# R036 ----------------------------------------------------------------------------------------------------------


def r036_lowest_bid_disqualified(
    release: dict,
    settings: CardinalSettings,
    *,
    compat: bool = True,
    currency: CurrencyState | None = None,
    submitted: Any = _UNSET,
) -> dict | None:
    """The lowest submitted bid was disqualified although a valid bid with an amount exists (award: price only).

    Cardinal keeps one currency for the whole run (`currency`, else the first seen) and skips other bids;
    the default mode compares bids within each currency of the process (or only the configured currency).
    """
    if not compares_prices(release, settings):
        return None
    awards = release.get("awards")
    if not isinstance(awards, list) or not any(isinstance(a, dict) and a.get("status") == "active" for a in awards):
        return None
    if compat:
        state = currency if currency is not None else CurrencyState(settings.currency)
    lowest: dict[str, list] = {}  # currency → [amount, disqualified, any valid]
    for bid in submitted_bids(release) if submitted is _UNSET else submitted:
        value = bid.get("value")
        if not isinstance(value, dict):
            continue
        amount, code = value.get("amount"), value.get("currency")
        if not is_number(amount) or not isinstance(code, str):
            continue
        if compat:
            if not state.accepts(code):
                continue
        elif settings.currency is not None and code != settings.currency:
            continue
        status = bid["status"]
        entry = lowest.get(code)
        if entry is None:
            lowest[code] = entry = [amount, status == "disqualified", False]
        elif amount < entry[0]:
            entry[0], entry[1] = amount, status == "disqualified"
        if status == "valid":
            entry[2] = True
    for code, (amount, disqualified, any_valid) in lowest.items():
        if disqualified and any_valid:
            return {"value": 1.0, "lowest_amount": amount, "currency": code}
    return None


SINGLE_RELEASE = {
    "R003": r003_short_submission_period,
    "R018": r018_single_bid,
    "R028": r028_identical_bid_prices,
    "R030": r030_late_bid_won,
    "R035": r035_all_except_winner_disqualified,
    "R036": r036_lowest_bid_disqualified,
}

# The single-release indicators that can flag a release without bid details.
WITHOUT_BIDS = frozenset({"R003", "R018"})

# The tenderers a single-release flag is also reported against (Cardinal's Tenderer group), and the value.
TENDERER_RESULTS = {
    "R028": lambda evidence: [(tid, 1.0) for tid in evidence["tenderers"]],
    "R030": lambda evidence: [(tid, 1.0) for tid in evidence["tenderers"]],
    "R035": lambda evidence: [(evidence["winner"], 0.0)],
}


def included(release: dict, settings: CardinalSettings) -> bool:
    """Cardinal's gate for every indicator: an ocid, a tender not cancelled, method details not excluded."""
    return (
        isinstance(release.get("ocid"), str)
        and not is_cancelled(release)
        and matches_method_details(release, set(), settings.excluded_method_details)
    )


def evaluate_release(release: dict[str, Any], settings: CardinalSettings, *, compat: bool = True) -> dict[str, dict]:
    """The single-release indicators that flag this release, each with its evidence (and `value`, Cardinal's)."""
    if not included(release, settings):
        return {}
    flags = {}
    for code, indicator in SINGLE_RELEASE.items():
        if code in settings.enabled and (evidence := indicator(release, settings, compat=compat)) is not None:
            flags[code] = evidence
    return flags
