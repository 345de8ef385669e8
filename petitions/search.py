"""What petitions put in the search index: petitions (public once open) and reports (inspectors only).
Registered from PetitionsConfig.ready."""

from __future__ import annotations

from django.db.models import QuerySet

from search.documents import DocumentType, SearchDocument, register


def petitions() -> QuerySet:
    from petitions.models import Petition

    return Petition.objects.all()


def petition_document(petition) -> SearchDocument:
    from petitions.models.petitions import PUBLIC_STATUSES

    return SearchDocument(
        doc_type="petition",
        pk=petition.pk,
        title=petition.title,
        text=f"{petition.action}\n{petition.background}".strip(),
        url=f"/petitions/{petition.pk}/",
        created=petition.opened_at or petition.created_at,
        public=petition.status in PUBLIC_STATUSES,
        keywords={"status": [petition.status]},
        region=petition.region_id or "",
    )


def reports() -> QuerySet:
    from petitions.models import Report

    return Report.objects.all()


def report_document(report) -> SearchDocument:
    """Reports are for inspectors only: never public, and the reporter's identity is not in them."""
    return SearchDocument(
        doc_type="report",
        pk=report.pk,
        title=f"{report.subject_unit} {report.subject_post}".strip(),
        text=report.description,
        url=f"/reports/cases/{report.public_id}/",
        created=report.received_at,
        public=False,
        keywords={"status": [report.state]},
        region=report.region_id or "",
    )


PETITION = DocumentType("petition", "petitions.Petition", petitions, petition_document)
REPORT = DocumentType("report", "petitions.Report", reports, report_document)


def register_documents() -> None:
    """Index petitions and reports (from AppConfig.ready)."""
    register(PETITION)
    register(REPORT)
