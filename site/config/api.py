"""The JSON API home: every app adds its router here under /api/."""

from django.conf import settings
from ninja import NinjaAPI, Schema
from ninja.security import django_auth

from accounts.roles import roles_of

api = NinjaAPI(
    title="阳光 Sunshine API",
    version="1",
    description="Public participation and electronic supervision. 公众参与与电子监察。",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


class HealthOut(Schema):
    status: str
    search_backend: str


class MeOut(Schema):
    email: str
    roles: list[str]
    jurisdiction: str | None


@api.get("/health", response=HealthOut, tags=["platform"], summary="Service health")
def health(request):
    return {"status": "ok", "search_backend": settings.SEARCH_BACKEND["BACKEND"].rsplit(".", 1)[-1]}


@api.get("/me", response=MeOut, auth=django_auth, tags=["platform"], summary="The signed-in user and roles")
def me(request):
    user = request.auth
    return {
        "email": user.email,
        "roles": sorted(role.value for role in roles_of(user)),
        "jurisdiction": user.jurisdiction_id,
    }
