from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin as django_admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config.api import api
from consultations import comment_route

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", django_admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("my/", include("participation.urls")),
    path("petitions/", include("petitions.urls")),
    path("reports/", include("reports.urls")),
    path("search/", include("search.urls")),
    path("monitoring/approvals/", include("monitoring.approvals.urls")),
    path("monitoring/", include("monitoring.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# A draft's comment form posts here: the draft found by its address, then served by Wagtail (consultations.comment_route).
urlpatterns.append(re_path(r"^(?P<path>(?:[\w\-]+/)+)comment/$", comment_route.comment, name="draft_comment"))

# Wagtail's page serving catches everything else: keep it last.
urlpatterns.append(path("", include(wagtail_urls)))
