"""The JSON API home: every app adds its router here under /api/."""

from django.conf import settings
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError
from ninja.security import django_auth

from accounts.roles import roles_of
from core.api_schemas import UNAUTHORIZED

api = NinjaAPI(
    title="阳光 Sunshine API",
    version="1",
    description="Public participation and electronic supervision. 公众参与与电子监察。",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


@api.exception_handler(ValidationError)
def validation_errors(request, exc: ValidationError):
    """Malformed input is a 400 with a message per field, like every other validation error."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path")]
        errors.setdefault(".".join(location) or "__all__", []).append(error.get("msg", "invalid"))
    return api.create_response(request, {"errors": errors}, status=400)


@api.exception_handler(HttpError)
def http_errors(request, exc: HttpError):
    """A body that is not JSON is a 400 in the same shape as a validation error; other HTTP errors keep theirs."""
    if exc.status_code == 400:
        return api.create_response(request, {"errors": {"__all__": [str(exc)]}}, status=400)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _add_routers() -> None:
    from consultations.api import router as consultations_router
    from monitoring.api import domains_router
    from petitions.api import router as petitions_router
    from regions.api import router as regions_router

    api.add_router("/consultations", consultations_router)
    api.add_router("/monitoring", domains_router())  # every monitoring domain's ingest endpoint
    api.add_router("/petitions", petitions_router)
    api.add_router("/regions", regions_router)


_add_routers()


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


@api.get(
    "/me",
    response={200: MeOut, **UNAUTHORIZED},
    auth=django_auth,
    tags=["platform"],
    summary="The signed-in user and roles",
)
def me(request):
    user = request.auth
    return {
        "email": user.email,
        "roles": sorted(role.value for role in roles_of(user)),
        "jurisdiction": user.jurisdiction_id,
    }
