"""Public petition pages, and the inspectors' petition moderation. Thin: parse, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.clientip import client_address
from core.forms import errors_into_form
from core.permissions import role_required
from petitions import selectors, services
from petitions.forms import ConsiderationForm, PetitionForm, RejectPetitionForm, ResponseForm, SignatureForm
from petitions.models import Petition, PetitionStatus


def petition_list(request):
    return render(
        request,
        "petitions/list.html",
        {"open": selectors.open_petitions(), "closed": selectors.closed_petitions()[:20]},
    )


@login_required
def petition_new(request):
    form = PetitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            petition = services.create_petition(creator=request.user, **form.cleaned_data)
        except ValidationError as error:
            errors_into_form(form, error)
        else:
            messages.success(request, _("Your petition is created. Share the sponsor link to collect sponsors."))
            return redirect("petitions:detail", petition.pk)
    return render(request, "petitions/new.html", {"form": form}, status=400 if form.errors else 200)


def _visible(request, petition: Petition) -> tuple[bool, str]:
    """Whether the viewer may see the petition, and the sponsor token if they came by the sponsor link."""
    token = request.GET.get("sponsor") or request.POST.get("sponsor") or ""
    is_sponsor = bool(token) and token == petition.sponsor_token
    if petition.is_public or is_sponsor or petition.creator_id == getattr(request.user, "pk", None):
        return True, token if is_sponsor else ""
    return services.can_moderate(request.user, petition), ""


def petition_detail(request, petition_id: int, form: SignatureForm | None = None, status: int = 200):
    petition = get_object_or_404(Petition.objects.select_related("region"), pk=petition_id)
    visible, sponsor_token = _visible(request, petition)
    if not visible:
        raise Http404
    limits = services.petition_settings()
    context = {
        "petition": petition,
        "form": form or SignatureForm(),
        "sponsor_token": sponsor_token,
        "is_creator": petition.creator_id == getattr(request.user, "pk", None),
        "sponsor_count": petition.signatures.filter(sponsor=True, confirmed_at__isnull=False).count(),
        "limits": limits,
        "regions": selectors.signatures_by_region(petition),
        "response_percent": min(100, petition.signature_count * 100 // max(1, limits.response_threshold)),
        "debate_percent": min(100, petition.signature_count * 100 // max(1, limits.debate_threshold)),
        "sponsor_url": request.build_absolute_uri(f"{request.path}?sponsor={petition.sponsor_token}"),
        "clock": selectors.response_facts(petition),
        "can_respond": services.can_respond(request.user, petition),
    }
    return render(request, "petitions/detail.html", context, status=status)


@require_POST
def petition_sign(request, petition_id: int):
    petition = get_object_or_404(Petition, pk=petition_id)
    visible, sponsor_token = _visible(request, petition)
    if not visible:
        raise Http404
    form = SignatureForm(request.POST)
    if form.is_valid():
        try:
            services.sign(
                petition=petition,
                network=client_address(request),
                sponsor_token=sponsor_token,
                **form.cleaned_data,
            )
        except ValidationError as error:
            errors_into_form(form, error)
        else:
            messages.success(request, _("Almost done: open the link we sent to your e-mail to confirm your signature."))
            url = reverse("petitions:detail", args=[petition.pk])
            return redirect(f"{url}?sponsor={sponsor_token}" if sponsor_token else url)
    return petition_detail(request, petition_id, form=form, status=400)


def petition_confirm(request, token: str):
    if request.method == "POST":
        signature = services.confirm_signature(token)
        if signature is None:
            raise Http404
        messages.success(request, _("Thank you: your signature is confirmed."))
        return redirect("petitions:detail", signature.petition_id)
    return render(request, "petitions/confirm.html", {"token": token})


@login_required
def petition_moderation(request):
    pending = [
        p
        for p in Petition.objects.filter(status=PetitionStatus.PENDING).select_related("region")
        if services.can_moderate(request.user, p)
    ]
    if not pending and not (request.user.is_superuser or services.has_role(request.user, *services.MODERATOR_ROLES)):
        raise PermissionDenied
    rows = [(petition, services.similar_petitions(petition)) for petition in pending]
    alerts = selectors.open_alerts(request.user)
    return render(
        request, "petitions/moderation.html", {"rows": rows, "alerts": alerts, "reject_form": RejectPetitionForm()}
    )


@require_POST
@login_required
def petition_moderate(request, petition_id: int):
    petition = get_object_or_404(Petition, pk=petition_id)
    try:
        if request.POST.get("action") == "publish":
            services.publish_petition(petition=petition, moderator=request.user)
            messages.success(request, _("The petition is open for signatures."))
        else:
            form = RejectPetitionForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose a reason."))
            services.reject_petition(petition=petition, moderator=request.user, **form.cleaned_data)
            messages.success(request, _("The petition is rejected."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("petitions:moderation")


# --- the answer loop (staff) ----------------------------------------------------------------------


@never_cache
@role_required(*services.MODERATOR_ROLES)
def petition_responses(request):
    """The petitions that called for a response in the staff member's jurisdiction: overdue and due first."""
    rows = [(petition, selectors.response_facts(petition)) for petition in selectors.response_queue(request.user)]
    return render(request, "petitions/responses.html", {"rows": rows})


@never_cache
@role_required(*services.MODERATOR_ROLES)
def petition_respond(request, petition_id: int):
    """The staff screen: the petition's figures, the response form and, past the debate threshold, the consideration."""
    petition = get_object_or_404(Petition.objects.select_related("region", "response_published_by"), pk=petition_id)
    if not services.can_respond(request.user, petition):
        raise PermissionDenied
    response_form = ResponseForm(initial={"text": petition.response_draft})
    consideration_form = ConsiderationForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("draft", "publish"):
                response_form = ResponseForm(request.POST)
                if response_form.is_valid():
                    text = response_form.cleaned_data["text"]
                    if action == "draft":
                        services.save_response_draft(petition=petition, user=request.user, text=text)
                        messages.success(request, _("The draft is saved. Nothing is published yet."))
                    else:
                        services.publish_response(petition=petition, user=request.user, text=text)
                        messages.success(
                            request, _("The response is published. Signers who asked are being told by e-mail.")
                        )
                    return redirect("petitions:respond", petition.pk)
            elif action == "consideration":
                consideration_form = ConsiderationForm(request.POST)
                if consideration_form.is_valid():
                    services.record_consideration(
                        petition=petition, user=request.user, **consideration_form.cleaned_data
                    )
                    messages.success(request, _("The consideration is recorded. Signers who asked are being told."))
                    return redirect("petitions:respond", petition.pk)
        except ValidationError as error:
            errors_into_form(consideration_form if action == "consideration" else response_form, error)
        status = 400
    limits = services.petition_settings()
    context = {
        "petition": petition,
        "limits": limits,
        "clock": selectors.response_facts(petition),
        "regions": selectors.signatures_by_region(petition),
        "over_time": selectors.signatures_over_time(petition),
        "notify_count": services.signers_to_notify(petition.pk).count(),
        "response_form": response_form,
        "consideration_form": consideration_form,
    }
    return render(request, "petitions/respond.html", context, status=status)


@never_cache
def petition_unsubscribe(request, token: str):
    """Stop the e-mails about one petition, by the link each of them carries. POST only changes anything."""
    if request.method == "POST":
        signature = services.unsubscribe(token)
        if signature is None:
            raise Http404
        return render(request, "petitions/unsubscribe.html", {"petition": signature.petition, "done": True})
    return render(request, "petitions/unsubscribe.html", {"token": token, "done": False})
