"""allauth's mails carry the site's name and address, not the host the request came in on."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


@dataclass(frozen=True)
class NamedSite:
    name: str
    domain: str


def named_site() -> NamedSite:
    return NamedSite(
        name=getattr(settings, "WAGTAIL_SITE_NAME", ""), domain=urlsplit(settings.SITE_URL).netloc or settings.SITE_URL
    )


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        super().send_mail(template_prefix, email, {**context, "current_site": named_site()})
