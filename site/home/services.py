"""Demo content for `manage.py load_demo`: idempotent, so it can run on every start."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from accounts.models import User
from accounts.roles import Role, assign_role, grant_page_permissions
from home.models import HomePage

DEMO_PASSWORD = "sunshine-demo-2026"  # noqa: S105 (published demo accounts)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    display_name: str
    role: Role | None
    jurisdiction: str | None
    superuser: bool = False
    lead: bool = False  # heads the role's work in the jurisdiction: escalations reach them (accounts.leads)


DEMO_ACCOUNTS = [
    DemoAccount("legislator@demo.sunshine.cn", "李立法", Role.LEGISLATOR, "000000"),
    DemoAccount("inspector@demo.sunshine.cn", "王监察", Role.INSPECTOR, "000000", lead=True),
    DemoAccount("inspector-baoding@demo.sunshine.cn", "赵监察", Role.INSPECTOR, "130600"),
    DemoAccount("admin@demo.sunshine.cn", "张管理", Role.ADMINISTRATOR, "000000", superuser=True),
    DemoAccount("citizen@demo.sunshine.cn", "陈市民", None, None),
]


def _create_root_page() -> Page:
    """Wagtail's tree root, as its migrations make it (needed after a database flush)."""
    locale, _ = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    return Page.add_root(instance=Page(title="Root", slug="root", locale=locale, live=True))


@transaction.atomic
def ensure_home_page() -> HomePage:
    """The single HomePage, set as the default site's root."""
    # Wagtail's placeholder page ("Welcome to your new Wagtail site!") makes way for ours.
    for page in Page.objects.filter(depth=2).specific():
        if type(page) is Page:
            page.delete()
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node() or _create_root_page()
        home = HomePage(
            title="阳光：公众参与与电子监察平台",
            slug="home",
            intro="让立法向公众敞开，让公权力的行使置于监督之下。",
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="阳光")
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    grant_page_permissions(home)
    return home


@transaction.atomic
def ensure_demo_accounts(password: str = DEMO_PASSWORD) -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts with verified e-mail addresses; returns (account, created)."""
    from allauth.account.models import EmailAddress

    results = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        created = user is None
        if user is None:
            user = User.objects.create_user(
                email=account.email,
                password=password,
                display_name=account.display_name,
                jurisdiction_id=account.jurisdiction,
                is_superuser=account.superuser,
                is_staff=account.superuser,
            )
        if account.role is not None:
            assign_role(user, account.role)
        if account.lead and not user.is_jurisdiction_lead:
            user.is_jurisdiction_lead = True
            user.save(update_fields=["is_jurisdiction_lead"])
        EmailAddress.objects.update_or_create(
            user=user, email=account.email, defaults={"verified": True, "primary": True}
        )
        results.append((account, created))
    return results
