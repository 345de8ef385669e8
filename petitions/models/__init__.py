from petitions.models.petitions import Petition, PetitionStatus, Signature, SignatureAlert
from petitions.models.reports import (
    CaseEvent,
    IdentityAccess,
    Receipt,
    ReceiptChainHead,
    Report,
    ReportAttachment,
    ReportKind,
    ReportMessage,
    TargetSignal,
)

__all__ = [
    "CaseEvent",
    "IdentityAccess",
    "Petition",
    "PetitionStatus",
    "Receipt",
    "ReceiptChainHead",
    "Report",
    "ReportAttachment",
    "ReportKind",
    "ReportMessage",
    "Signature",
    "SignatureAlert",
    "TargetSignal",
]
