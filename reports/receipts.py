"""The receipt chain: proof of when each report was filed and that its filed content never changed.

Each receipt chains the digest of what was filed to the previous receipt's hash; the one chain head row is locked
while a receipt is issued, so receipts are numbered one at a time. `verify_receipts` (the `verify_receipts`
command) walks the chain and names the first broken link.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from reports.models import Receipt, ReceiptChainHead, Report

GENESIS = "0" * 64


def content_digest(report: Report) -> str:
    """Digest of what was filed: the fields that must never change after filing."""
    content = {
        "id": str(report.public_id),
        "kind": report.kind,
        "subject": [report.subject_name, report.subject_post, report.subject_unit, report.subject_unit_code],
        "region": report.region_id,
        "occurred": report.occurred,
        "description": report.description,
        "anonymous": report.anonymous,
        "received_at": report.received_at.isoformat(),
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def chain_hash(previous_hash: str, sequence: int, filed_at, digest: str) -> str:
    return hashlib.sha256(f"{previous_hash}|{sequence}|{filed_at.isoformat()}|{digest}".encode()).hexdigest()


def _locked_chain_head() -> ReceiptChainHead:
    """The chain head, locked until the current transaction ends: one filer at a time gets past here.

    Locking the one head row serialises issuers on PostgreSQL under READ COMMITTED, where locking the
    last receipt did not (a receipt inserted meanwhile is not the row a waiting filer had locked). The
    row is made on first use (after a test-database flush, say), starting from the last receipt.
    """
    head = ReceiptChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        last = Receipt.objects.order_by("-sequence").first()
        ReceiptChainHead.objects.bulk_create(
            [ReceiptChainHead(pk=1, sequence=last.sequence if last else 0, hash=last.hash if last else GENESIS)],
            ignore_conflicts=True,
        )
        head = ReceiptChainHead.objects.select_for_update().get(pk=1)
    return head


def issue_receipt(report: Report) -> Receipt:
    """Chain a receipt to the head. Call it last in the filing transaction: the head stays locked until commit."""
    head = _locked_chain_head()
    sequence = head.sequence + 1
    digest = content_digest(report)
    receipt = Receipt.objects.create(
        report=report,
        sequence=sequence,
        filed_at=report.received_at,
        content_digest=digest,
        previous_hash=head.hash,
        hash=chain_hash(head.hash, sequence, report.received_at, digest),
    )
    ReceiptChainHead.objects.filter(pk=head.pk).update(sequence=sequence, hash=receipt.hash)
    return receipt


@dataclass(frozen=True)
class ChainCheck:
    checked: int
    broken: Receipt | None
    problem: str

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_receipts() -> ChainCheck:
    previous = GENESIS
    checked = 0
    for receipt in Receipt.objects.select_related("report").order_by("sequence").iterator(chunk_size=1000):
        checked += 1
        if receipt.sequence != checked:
            return ChainCheck(
                checked, receipt, f"sequence {receipt.sequence} where {checked} was expected (a receipt is missing)"
            )
        if receipt.previous_hash != previous:
            return ChainCheck(checked, receipt, "does not chain to the previous receipt")
        if content_digest(receipt.report) != receipt.content_digest:
            return ChainCheck(checked, receipt, "the report's filed content was changed")
        if (
            chain_hash(receipt.previous_hash, receipt.sequence, receipt.filed_at, receipt.content_digest)
            != receipt.hash
        ):
            return ChainCheck(checked, receipt, "its hash does not match its fields")
        previous = receipt.hash
    return ChainCheck(checked, None, "")
