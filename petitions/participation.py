"""What petitions contribute to "my participation": petitions to follow, my petitions and my signatures, and
the event people are told about (a published response). Registered from PetitionsConfig.ready()."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.urls import reverse

from petitions.models import Petition, PetitionStatus, Signature

PETITION = "petitions.petition"


def resolve_petition(object_id: int) -> tuple[str, str] | None:
    petition = Petition.objects.filter(pk=object_id).exclude(status=PetitionStatus.REJECTED).first()
    if petition is None:
        return None
    return petition.title, reverse("petitions:detail", args=[petition.pk])


def my_petitions(user) -> dict:
    petitions = Petition.objects.filter(creator=user).select_related("region").order_by("-pk")
    signatures = (
        Signature.objects.filter(email__iexact=user.email, sponsor=False)
        .select_related("petition")
        .order_by("-created_at")
        if user.email
        else Signature.objects.none()
    )
    return {"petitions": list(petitions), "signatures": list(signatures)}


def on_petition_saved(sender, instance: Petition, created: bool, update_fields=None, **kwargs) -> None:
    if created or not update_fields or "response_published_at" not in update_fields:
        return
    if instance.response_published_at is None:
        return
    from django.contrib.auth import get_user_model

    from participation.services import notify
    from petitions.services import signers_to_notify

    # Signers who asked to be told (the creator among them) get the petition's own mail: not a second one.
    told = signers_to_notify(instance.pk).values("email")
    notify(
        kind="response",
        subject=PETITION,
        object_id=instance.pk,
        title=instance.title,
        path=reverse("petitions:detail", args=[instance.pk]),
        exclude=get_user_model().objects.filter(email__in=told).values_list("pk", flat=True),
    )


def register() -> None:
    from participation import registry

    registry.register_subject(PETITION, resolve_petition)
    registry.register_section("petitions", "petitions/participation/_my_petitions.html", my_petitions, order=20)
    post_save.connect(on_petition_saved, sender=Petition, dispatch_uid="participation.petition")
