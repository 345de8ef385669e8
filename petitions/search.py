"""What petitions put in the search index: petitions, public once open. Registered from PetitionsConfig.ready."""

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


PETITION = DocumentType("petition", "petitions.Petition", petitions, petition_document)


def register_documents() -> None:
    """Index petitions (from AppConfig.ready)."""
    register(PETITION)
