"""Cardinal's `prepare` step (cardinal-rs 0.0.8): make a publisher's compiled releases fit the indicators.

Per source system, from the same INI file as the indicators:

- `[defaults]` fill what is missing: `currency` (bid values), `item_classification_scheme`, `bid_status`,
  `award_status`, and `party_roles = true` (add buyer, procuringEntity, tenderer, supplier to the roles of
  the parties those ids point to);
- `[redactions]` remove placeholder values: `amount = 0|99999999` (bid amounts), `organization_id = a|b`;
- `[corrections]` `award_status_by_contract_status = true`: an award whose contracts are all cancelled is
  cancelled;
- `[modifications]` `move_auctions = true` (bids under `auctions[].stages[].bids` become `bids.details`),
  `prefix_buyer_or_procuring_entity_id`, `prefix_tenderer_or_supplier_id`, `split_procurement_method_details`
  (keep the text before the separator);
- `[codelists.bid_status]`, `[codelists.award_status]` map non-standard statuses (e.g. `qualified = valid`).

Numeric ids become strings; a lone supplier or tenderer object becomes a list. `prepare_release` returns the
prepared release and its data-quality warnings, each one row of Cardinal's error file without the line
number: `ocid,path,index,value,message` (CSV), e.g. `ocds-1,/bids/details[]/status,0,,not set`.
"""

from __future__ import annotations

import csv
import io
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from monitoring.rules.cardinal.settings import pipe_set, read_ini

# OCDS codelists the statuses are checked against (bid status: the bids extension).
BID_STATUS = frozenset({"invited", "pending", "valid", "disqualified", "withdrawn"})
AWARD_STATUS = frozenset({"pending", "active", "cancelled", "unsuccessful"})


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in {"true", "1", "yes", "on"}


def _floats(value: str | None) -> list[float]:
    amounts = []
    for part in (value or "").split("|"):
        try:
            amounts.append(float(part))
        except ValueError:
            continue
    return sorted(amounts)


@dataclass
class PrepareSettings:
    currency: str | None = None
    item_classification_scheme: str | None = None
    bid_status: str | None = None
    award_status: str | None = None
    party_roles: bool = False
    redact_amounts: list[float] = field(default_factory=list)  # sorted
    redact_organization_ids: set[str] = field(default_factory=set)
    award_status_by_contract_status: bool = False
    move_auctions: bool = False
    prefix_buyer_or_procuring_entity_id: str = ""
    prefix_tenderer_or_supplier_id: str = ""
    split_procurement_method_details: str | None = None
    bid_status_map: dict[str, str] = field(default_factory=dict)
    award_status_map: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_ini(cls, text: str) -> PrepareSettings:
        parser = read_ini(text)

        def get(section: str, key: str) -> str | None:
            return parser.get(section, key, fallback=None)

        return cls(
            currency=get("defaults", "currency"),
            item_classification_scheme=get("defaults", "item_classification_scheme"),
            bid_status=get("defaults", "bid_status"),
            award_status=get("defaults", "award_status"),
            party_roles=_bool(get("defaults", "party_roles")),
            redact_amounts=_floats(get("redactions", "amount")),
            redact_organization_ids=pipe_set(get("redactions", "organization_id")),
            award_status_by_contract_status=_bool(get("corrections", "award_status_by_contract_status")),
            move_auctions=_bool(get("modifications", "move_auctions")),
            prefix_buyer_or_procuring_entity_id=get("modifications", "prefix_buyer_or_procuring_entity_id") or "",
            prefix_tenderer_or_supplier_id=get("modifications", "prefix_tenderer_or_supplier_id") or "",
            split_procurement_method_details=get("modifications", "split_procurement_method_details"),
            bid_status_map=dict(parser.items("codelists.bid_status"))
            if parser.has_section("codelists.bid_status")
            else {},
            award_status_map=(
                dict(parser.items("codelists.award_status")) if parser.has_section("codelists.award_status") else {}
            ),
        )

    def is_noop(self) -> bool:
        """True when preparing changes nothing but numeric ids and lone objects (all sections empty)."""
        return self == PrepareSettings()


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _stringify(obj: dict, key: str) -> None:
    """Numeric ids become strings, as Cardinal writes them (1 → "1")."""
    value = obj.get(key)
    if _is_number(value):
        obj[key] = str(value)


def _prepare_id(obj: Any, redact: set[str], prefix: str, roles: dict[str, set[str]] | None, role: str) -> None:
    if type(obj) is not dict:
        return
    identifier = obj.get("id")
    if type(identifier) is not str:
        if not _is_number(identifier):
            return
        identifier = obj["id"] = str(identifier)  # numeric ids become strings
    if identifier in redact:
        del obj["id"]
        return
    if prefix and not identifier.startswith(prefix):
        identifier = obj["id"] = prefix + identifier
    if roles is not None and identifier in roles:
        roles[identifier].add(role)


def _prepare_id_array(parent: dict, key: str, redact: set[str], prefix: str, roles, role: str) -> None:
    if isinstance(parent.get(key), dict):
        parent[key] = [parent[key]]  # a lone object becomes a list
    entries = parent.get(key)
    if isinstance(entries, list):
        for entry in entries:
            _prepare_id(entry, redact, prefix, roles, role)


class _Warnings:
    def __init__(self, ocid: Any) -> None:
        self.ocid = "" if ocid is None else ocid
        self.rows: list[str] = []

    def add(self, path: str, index: Any, value: Any, message: str) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow([self.ocid, path, index, value, message])
        self.rows.append(buffer.getvalue())


def prepare_release(release: dict[str, Any], settings: PrepareSettings) -> tuple[dict[str, Any], list[str]]:
    """The release prepared for the indicators (changed in place and returned) and its data-quality warnings."""
    warnings = _Warnings(release.get("ocid"))
    redact = settings.redact_organization_ids

    # /parties
    _prepare_id_array(release, "parties", redact, "", None, "")
    roles: dict[str, set[str]] | None = None
    if settings.party_roles:
        roles = {}
        parties = release.get("parties")
        for party in parties if isinstance(parties, list) else []:
            if isinstance(party, dict) and isinstance(party.get("id"), str):
                existing = party.get("roles")
                roles[party["id"]] = (
                    {r for r in existing if isinstance(r, str)} if isinstance(existing, list) else set()
                )

    # /buyer and /tender
    _prepare_id(release.get("buyer"), redact, settings.prefix_buyer_or_procuring_entity_id, roles, "buyer")
    tender = release.get("tender")
    if isinstance(tender, dict):
        _prepare_id(
            tender.get("procuringEntity"),
            redact,
            settings.prefix_buyer_or_procuring_entity_id,
            roles,
            "procuringEntity",
        )
        details = tender.get("procurementMethodDetails")
        if settings.split_procurement_method_details is not None and isinstance(details, str):
            separator = settings.split_procurement_method_details
            tender["procurementMethodDetails"] = details.split(separator)[0].rstrip() if separator else ""

    # /auctions → /bids/details
    if settings.move_auctions:
        if "auctions" in release and "bids" in release:
            warnings.add("/auctions", "", "", "not moved, because /bids is occupied")
        elif isinstance(release.get("auctions"), list):
            moved = []
            for auction in release["auctions"]:
                stages = auction.get("stages") if isinstance(auction, dict) else None
                for stage in stages if isinstance(stages, list) else []:
                    if isinstance(stage, dict) and isinstance(stage.get("bids"), list):
                        moved.extend(stage.pop("bids"))
                    elif isinstance(stage, dict) and "bids" in stage:
                        stage.pop("bids")
            release["bids"] = {"details": moved}

    # /bids
    bids = release.get("bids")
    details = bids.get("details") if isinstance(bids, dict) else None
    for j, bid in enumerate(details if isinstance(details, list) else []):
        if not isinstance(bid, dict):
            continue
        value = bid.get("value")
        if isinstance(value, dict):
            amount = value.get("amount")
            if _is_number(amount):
                position = bisect_left(settings.redact_amounts, amount)
                if position < len(settings.redact_amounts) and settings.redact_amounts[position] == amount:
                    del value["amount"]
                elif amount == 0:
                    warnings.add("/bids/details[]/value/amount", j, "", "is zero")
            if "currency" not in value:
                if settings.currency is not None:
                    value["currency"] = settings.currency
                else:
                    warnings.add("/bids/details[]/value/currency", j, "", "not set")
        items = bid.get("items")
        for k, item in enumerate(items if isinstance(items, list) else []):
            classification = item.get("classification") if isinstance(item, dict) else None
            if isinstance(classification, dict) and "scheme" not in classification:
                if settings.item_classification_scheme is not None:
                    classification["scheme"] = settings.item_classification_scheme
                else:
                    warnings.add("/bids/details[]/items[]/classification/scheme", f"{j}.{k}", "", "not set")
        if "status" not in bid:
            if settings.bid_status is not None:
                bid["status"] = settings.bid_status
            else:
                warnings.add("/bids/details[]/status", j, "", "not set")
        if isinstance(bid.get("status"), str):
            status = bid["status"] = settings.bid_status_map.get(bid["status"], bid["status"])
            if status not in BID_STATUS:
                warnings.add("/bids/details[]/status", j, status, "invalid")
        _prepare_id_array(bid, "tenderers", redact, settings.prefix_tenderer_or_supplier_id, roles, "tenderer")

    # /contracts: is every contract of an award cancelled?
    all_cancelled: dict[str, bool] = {}
    contracts = release.get("contracts")
    if settings.award_status_by_contract_status and isinstance(contracts, list):
        for contract in contracts:
            if not isinstance(contract, dict):
                continue
            _stringify(contract, "awardID")
            award_id = contract.get("awardID")
            if isinstance(award_id, str):
                cancelled = contract.get("status") == "cancelled"
                all_cancelled[award_id] = all_cancelled.get(award_id, True) and cancelled

    # /awards
    awards = release.get("awards")
    for j, award in enumerate(awards if isinstance(awards, list) else []):
        if not isinstance(award, dict):
            continue
        _stringify(award, "id")
        items = award.get("items")
        for k, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict):
                continue
            _prepare_id(item.get("classification"), set(), "", None, "")
            classification = item.get("classification")
            if isinstance(classification, dict) and "scheme" not in classification:
                if settings.item_classification_scheme is not None:
                    classification["scheme"] = settings.item_classification_scheme
                else:
                    warnings.add("/awards[]/items[]/classification/scheme", f"{j}.{k}", "", "not set")
        if "status" not in award:
            if settings.award_status is not None:
                award["status"] = settings.award_status
            else:
                warnings.add("/awards[]/status", j, "", "not set")
        if isinstance(award.get("status"), str):
            status = award["status"] = settings.award_status_map.get(award["status"], award["status"])
            if status not in AWARD_STATUS:
                warnings.add("/awards[]/status", j, status, "invalid")
        award_id = award.get("id")
        if settings.award_status_by_contract_status and isinstance(award_id, str) and all_cancelled.get(award_id):
            award["status"] = "cancelled"
        _prepare_id_array(award, "suppliers", redact, settings.prefix_tenderer_or_supplier_id, roles, "supplier")

    # /parties[]/roles
    if roles is not None and isinstance(release.get("parties"), list):
        for party in release["parties"]:
            if isinstance(party, dict) and isinstance(party.get("id"), str) and roles.get(party["id"]):
                party["roles"] = sorted(roles[party["id"]])

    return release, warnings.rows
