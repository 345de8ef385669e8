"""Jurisdiction scoping: the rows a staff member may see are those located in their jurisdiction.

Region containment is a code prefix (`regions.models.Region.prefix`), so the filter is one
`startswith` on the region's code. Roles are not checked here: each selector decides who may look at
all, then narrows to the viewer's jurisdiction with this.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def in_jurisdiction(queryset: QuerySet[M], user, region_field: str = "region") -> QuerySet[M]:
    """The rows of `queryset` whose region (`region_field`, a path to a Region; "" for regions themselves)
    lies in the user's jurisdiction: all of them for a superuser, none for a user without a jurisdiction."""
    if user.is_superuser:
        return queryset
    if user.jurisdiction is None:
        return queryset.none()
    lookup = f"{region_field}__code__startswith" if region_field else "code__startswith"
    return queryset.filter(**{lookup: user.jurisdiction.prefix})
