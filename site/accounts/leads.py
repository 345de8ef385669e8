"""Leads: the staff member who heads a role's work in a jurisdiction (`User.is_jurisdiction_lead`, set in the
admin's user form). Escalations reach them besides the person assigned."""

from __future__ import annotations

from accounts.models import User
from accounts.roles import Role


def leads_for(region_code: str, role: Role) -> list[User]:
    """The nearest leads of `role` over the region: of the most specific jurisdiction that has one.

    A county task reaches the county's lead; where the county has none, the city's, then the province's.
    """
    candidates = [
        user
        for user in User.objects.filter(
            is_active=True, is_jurisdiction_lead=True, groups__name=role.value, jurisdiction__isnull=False
        ).select_related("jurisdiction")
        if user.jurisdiction.contains(region_code)
    ]
    if not candidates:
        return []
    nearest = max(len(user.jurisdiction.prefix) for user in candidates)
    return sorted((user for user in candidates if len(user.jurisdiction.prefix) == nearest), key=lambda u: u.pk)
