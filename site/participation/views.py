"""My participation: the signed-in page, follow and unfollow, how often to be e-mailed, unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation import registry, services
from participation.models import Follow, Frequency


@login_required
def mine(request):
    sections = [
        {"key": section.key, "template": section.template, "context": section.context(request.user)}
        for section in registry.sections()
    ]
    follows = []
    for entry in Follow.objects.filter(user=request.user).order_by("-created_at"):
        subject = registry.subject(entry.subject)
        resolved = subject.resolve(entry.object_id) if subject else None
        if resolved:
            follows.append({"follow": entry, "title": resolved[0], "path": resolved[1]})
    return render(
        request,
        "participation/mine.html",
        {
            "sections": sections,
            "follows": follows,
            "frequency": services.frequency_of(request.user),
            "frequencies": Frequency.choices,
        },
    )


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@login_required
@require_POST
def follow(request):
    subject = request.POST.get("subject", "")
    try:
        object_id = int(request.POST.get("object_id", ""))
    except ValueError:
        return HttpResponseBadRequest(_("There is nothing here to follow."))
    if request.POST.get("action") == "unfollow":
        services.unfollow(user=request.user, subject=subject, object_id=object_id)
        messages.success(request, _("You no longer follow it."))
    else:
        try:
            services.follow(user=request.user, subject=subject, object_id=object_id)
        except ValidationError:
            raise Http404 from None
        messages.success(request, _("You follow it: you will be e-mailed when something happens."))
    return redirect(_back(request, "participation:mine"))


@login_required
@require_POST
def preferences(request):
    try:
        services.set_frequency(user=request.user, frequency=request.POST.get("frequency", ""))
    except ValidationError:
        return HttpResponseBadRequest(_("Choose how often to be e-mailed."))
    messages.success(request, _("Your e-mail choice is saved."))
    return redirect("participation:mine")


def unsubscribe(request, token: str):
    user = services.user_for_token(token)
    if user is None:
        raise Http404
    done = False
    if request.method == "POST":
        services.unsubscribe(token)
        done = True
    return render(request, "participation/unsubscribe.html", {"done": done})
