"""The floor's URLs: Wagtail's admin, documents and pages, Django's admin, allauth and an empty NinjaAPI."""

from django.contrib import admin
from django.urls import include, path
from ninja import NinjaAPI
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

api = NinjaAPI(urls_namespace="api")
urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("api/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("", include(wagtail_urls)),
]
