"""Staff roles: Django groups carrying Wagtail and model permissions.

Roles are looked up by group name. `ensure_role_groups` creates or repairs them
and runs after every migrate, so a fresh database always has them.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.contrib.auth.models import Group, Permission


class Role(StrEnum):
    LEGISLATOR = "立法工作人员"
    INSPECTOR = "纪检监察人员"
    ADMINISTRATOR = "管理员"


# app_label.codename for each role. Page permissions are granted on the site's
# root page by `grant_page_permissions`, since pages are data, not schema.
ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.LEGISLATOR: {
        "wagtailadmin.access_admin",
    },
    Role.INSPECTOR: {
        "wagtailadmin.access_admin",
        "reports.view_reporter_identity",
    },
    Role.ADMINISTRATOR: {
        "wagtailadmin.access_admin",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.delete_user",
        "auth.add_group",
        "auth.change_group",
        "auth.delete_group",
        "regions.add_region",
        "regions.change_region",
        "wagtailcore.view_workflow",
        "wagtailcore.add_workflow",
        "wagtailcore.change_workflow",
        "workdays.view_workingdayoverride",
        "monitoring.view_rulesetting",
        "monitoring.add_rulesetting",
        "monitoring.change_rulesetting",
        "workdays.add_workingdayoverride",
        "workdays.change_workingdayoverride",
        "workdays.delete_workingdayoverride",
        "consultations.view_sensitiveword",
        "consultations.add_sensitiveword",
        "consultations.change_sensitiveword",
        "consultations.delete_sensitiveword",
    },
}

ROLE_PAGE_PERMISSIONS: dict[Role, set[str]] = {
    Role.LEGISLATOR: {"add_page", "change_page", "publish_page"},
    Role.INSPECTOR: set(),
    Role.ADMINISTRATOR: {"add_page", "change_page", "publish_page", "delete_page", "lock_page", "unlock_page"},
}


def _permissions(names: Iterable[str]) -> list[Permission]:
    found = []
    for name in sorted(names):
        app_label, codename = name.split(".", 1)
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is not None:
            found.append(permission)
    return found


def ensure_role_groups() -> dict[Role, Group]:
    groups = {}
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.add(*_permissions(ROLE_PERMISSIONS[role]))
        groups[role] = group
    return groups


def grant_page_permissions(root_page) -> None:
    """Give each role its permissions on `root_page` and everything below it."""
    from wagtail.models import GroupPagePermission

    for role, group in ensure_role_groups().items():
        for codename in ROLE_PAGE_PERMISSIONS[role]:
            permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.get_or_create(group=group, page=root_page, permission=permission)


def roles_of(user) -> set[Role]:
    if not getattr(user, "is_authenticated", False):
        return set()
    names = {group.name for group in user.groups.all()}
    roles = {role for role in Role if role.value in names}
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    return roles


def has_role(user, *roles: Role) -> bool:
    return bool(roles_of(user) & set(roles))


def assign_role(user, role: Role) -> None:
    user.groups.add(ensure_role_groups()[role])


# Permissions that open no screen of the Wagtail admin: holding only these, the admin has nothing to show.
NOT_ADMIN_WORK = frozenset({"wagtailadmin.access_admin", "reports.view_reporter_identity"})


def has_admin_work(user) -> bool:
    """Whether the Wagtail admin has anything for `user`: pages, collections or a model they may manage.

    An inspector's work is on the monitoring and case screens; the admin would open empty for them, so the
    site does not offer the link (it comes back as soon as a role grants something there).
    """
    if not getattr(user, "is_authenticated", False) or not user.has_perm("wagtailadmin.access_admin"):
        return False
    if user.is_superuser or user.get_all_permissions() - NOT_ADMIN_WORK:
        return True
    from wagtail.models import GroupCollectionPermission, GroupPagePermission

    groups = user.groups.all()
    return (
        GroupPagePermission.objects.filter(group__in=groups).exists()
        or GroupCollectionPermission.objects.filter(group__in=groups).exists()
    )
