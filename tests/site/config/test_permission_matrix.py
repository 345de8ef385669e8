"""Every role against every URL: the permission matrix, generated from the URL configuration.

The resolver is walked (includes, the Wagtail and Django admins, allauth, the ninja API), together with
the routes of routable Wagtail pages and the WebSocket routes. Each URL needs an entry in RULES (or, for a
third-party URL under a prefix in PREFIX_RULES, that prefix's rule): a URL without one fails the suite
with its name. Each entry lists probes, each probe the expected outcome for every role; objects inside
the narrow inspector's jurisdiction (Baoding, 130600) are suffixed `in`, those outside it `out`.
A POST that a role may not make must be refused and leave the database as it was.
"""

from __future__ import annotations

import hashlib
import inspect
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from asgiref.sync import async_to_sync
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from tests.site.config.permission_world import ROLES, World, build_world

# --- expectations -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    label: str
    statuses: tuple
    location: str | None = None  # the redirect's path starts with this ("=" prefix: is exactly this)
    refused: bool = False
    performs: bool = False  # an allowed write: the database must change


OK = Expect("200", (200,))
CREATED = Expect("201", (201,), performs=True)
DONE = Expect("done", (302,), performs=True)  # written, then redirected
ANSWERED = Expect("answered", (200, 302, 400))  # allowed in; whether it writes depends on the record's state
REDIRECT_HOME = Expect("home", (302,), location="=/")
LOGIN = Expect("login", (302,), location="/accounts/login/", refused=True)
ADMIN_LOGIN = Expect("admin-login", (302,), location="/admin/login/", refused=True)
ADMIN_DENIED = Expect("admin-denied", (302,), location="=/admin/", refused=True)  # Wagtail's permission_denied
DJANGO_ADMIN_LOGIN = Expect("django-admin-login", (302,), location="/django-admin/login/", refused=True)
FORBIDDEN = Expect("403", (403,), refused=True)
NOT_FOUND = Expect("404", (404,), refused=True)
DENIED = Expect("403|404", (403, 404), refused=True)
UNAUTHORIZED = Expect("401", (401,), refused=True)
NOT_ALLOWED = Expect("405", (405,), refused=True)
NOTHING_CHOSEN = Expect("nothing-chosen", (302,), refused=True)  # a bulk action skips what one may not touch
WS_ACCEPT = Expect("ws-accept", ("accept",))
WS_4401 = Expect("ws-4401", (4401,), refused=True)
WS_4403 = Expect("ws-4403", (4403,), refused=True)
WS_4404 = Expect("ws-4404", (4404,), refused=True)

STAFF = ("legislator", "inspector_national", "inspector_baoding", "administrator", "superuser")


def roles(default: Expect, **overrides: Expect) -> dict[str, Expect]:
    unknown = set(overrides) - set(ROLES)
    assert not unknown, unknown
    return {role: overrides.get(role, default) for role in ROLES}


PUBLIC = roles(OK)
SIGNED_IN = roles(OK, anonymous=LOGIN)
# allauth's sensitive pages ask a session signed in by test force_login to confirm the password first
SIGNED_IN_RECENTLY = roles(Expect("reauthenticate", (302,), location="/accounts/reauthenticate/"), anonymous=LOGIN)
SIGNED_OUT_ONLY = roles(REDIRECT_HOME, anonymous=OK)  # allauth's login and signup pages
# core.permissions.role_required(INSPECTOR, ADMINISTRATOR): the inspectors' pages
INSPECTOR_PAGE = roles(
    FORBIDDEN, anonymous=LOGIN, inspector_national=OK, inspector_baoding=OK, administrator=OK, superuser=OK
)


def inspector_object(inside: bool, *, allowed: Expect = OK, other: Expect = NOT_FOUND, admin: Expect = NOT_FOUND):
    """An inspector's page about one record: inspectors of its region and superusers; administrators pass
    role_required but hold no inspector jurisdiction, so they see no record."""
    return roles(
        FORBIDDEN,
        anonymous=LOGIN,
        inspector_national=allowed,
        inspector_baoding=allowed if inside else other,
        administrator=admin,
        superuser=allowed,
    )


def inspector_post(inside: bool, *, allowed: Expect = DONE, other: Expect = NOT_FOUND, admin: Expect = NOT_FOUND):
    return inspector_object(inside, allowed=allowed, other=other, admin=admin)


# Wagtail admin views (require_admin_access): the anonymous and the public go to the admin login.
def admin_page(**overrides: Expect) -> dict[str, Expect]:
    return roles(ADMIN_DENIED, anonymous=ADMIN_LOGIN, citizen=ADMIN_LOGIN, **overrides)


def manager_page(inside: bool, allowed: Expect = OK) -> dict[str, Expect]:
    """A consultation staff screen about one draft: legislators of its jurisdiction, administrators."""
    return admin_page(legislator=allowed if inside else ADMIN_DENIED, administrator=allowed, superuser=allowed)


def manager_gets(kwargs_of):
    """GET of a consultation staff screen, for a draft inside the legislator's jurisdiction and one outside."""
    return [get(manager_page(where == "in"), where, kwargs=kwargs_of(where)) for where in ("in", "out")]


ADMIN_ONLY = admin_page(administrator=OK, superuser=OK)
ADMIN_HOME = admin_page(**dict.fromkeys(STAFF, OK))


# --- probes -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    method: str  # GET, POST or WS
    expect: dict[str, Expect]
    label: str = ""
    kwargs: Callable[[World], dict] | None = None
    data: Callable[[World], dict] | None = None
    json: bool = False
    headers: Callable[[World], dict] | None = None
    query: str = ""
    session: Callable[[World], dict] | None = None
    path: Callable[[World], str] | None = None  # for routes outside the resolver (pages, WebSocket)


def _participation_token(world: World) -> str:
    from participation.services import unsubscribe_token

    return unsubscribe_token(world.users["citizen"].pk)


def get(expect, label="", **options) -> Probe:
    return Probe("GET", expect, label, **options)


def post(expect, label="", **options) -> Probe:
    return Probe("POST", expect, label, **options)


def ws(expect, label="", **options) -> Probe:
    return Probe("WS", expect, label, **options)


def draft(where):
    return lambda w: {"draft_id": w.objects[f"draft_{where}"].pk}


def theme(where):
    return lambda w: {"theme_id": w.objects[f"theme_{where}"].pk}


def report(where):
    return lambda w: {"public_id": w.objects[f"report_{where}"].public_id}


def alert(where):
    return lambda w: {"public_id": w.objects[f"alert_{where}"].public_id}


def page_url(name: str, route: str = ""):
    return lambda w: w.objects[name].url + route


def reporter_session(where):
    return lambda w: {"report_access": str(w.objects[f"report_{where}"].public_id)}


def bearer(domain):
    return lambda w: {"HTTP_AUTHORIZATION": f"Bearer {w.objects[f'token_{domain}']}"}


ALL_POST_REFUSED = roles(NOT_ALLOWED)
WRITTEN = Expect("written", (200,), performs=True)  # an API write answered with the record
PETITION_RESPONSE = "市住房城乡建设局将于下月起在政府网站公开全部城市道路占道施工审批信息，包括审批单位、施工单位、批准期限和实际完工日期。"
SIGN_IN_TO_WRITE = roles(DONE, anonymous=LOGIN)
MODERATORS = roles(FORBIDDEN, anonymous=LOGIN, legislator=OK, administrator=OK, superuser=OK)
STAFF_ONLY_GET_405 = roles(NOT_ALLOWED)
LEGISLATOR_REPORT = dict(
    roles(NOT_FOUND, legislator=OK, administrator=OK, superuser=OK)
)  # an unpublished report: its managers preview it


def snippet_rules(prefix: str, *, delete: Expect) -> dict[str, list[Probe]]:
    """A snippet administrators keep (a project model): administrators and superusers only."""

    def pk(name):
        return lambda w: {"pk": w.objects[name].pk}

    obj = {"rulesetting": "rule_setting", "sensitiveword": "sensitive_word"}.get(
        prefix.rsplit("_", 1)[-1], "working_day"
    )
    chooser = prefix.replace("wagtailsnippets_", "wagtailsnippetchoosers_")
    return {
        f"{prefix}:list": [get(ADMIN_ONLY)],
        f"{prefix}:list_results": [get(ADMIN_ONLY)],
        f"{prefix}:add": [get(ADMIN_ONLY)],
        f"{prefix}:edit": [
            get(ADMIN_ONLY, kwargs=pk(obj)),
            post(admin_page(administrator=ANSWERED, superuser=ANSWERED), kwargs=pk(obj), data=lambda w: {}),
        ],
        f"{prefix}:delete": [
            get(admin_page(administrator=delete, superuser=OK), kwargs=pk(obj)),
            post(admin_page(administrator=delete if delete.refused else DONE, superuser=DONE), kwargs=pk(obj)),
        ],
        f"{prefix}:usage": [get(ADMIN_ONLY, kwargs=pk(obj))],
        f"{prefix}:history": [get(ADMIN_ONLY, kwargs=pk(obj))],
        f"{prefix}:history_results": [get(ADMIN_ONLY, kwargs=pk(obj))],
        f"{prefix}:copy": [get(ADMIN_ONLY, kwargs=pk(obj))],
        f"{chooser}:choose": [get(ADMIN_ONLY)],
        f"{chooser}:choose_results": [get(ADMIN_ONLY)],
        f"{chooser}:chosen": [get(ADMIN_ONLY, kwargs=lambda w: {"pk": w.objects[obj].pk})],
        f"{chooser}:chosen_multiple": [get(ADMIN_ONLY, query="?id=0")],
        f"{chooser}:create": [get(ADMIN_ONLY)],
    }


RULES: dict[str, list[Probe]] = {
    # --- Wagtail pages: the home page, the consultation index, drafts and their routes ---
    "wagtail_serve": [],  # the catch-all: each page type and route has its own entry below
    "page:home.HomePage": [get(PUBLIC, path=page_url("home"))],
    "page:consultations.ConsultationIndexPage": [get(PUBLIC, path=page_url("index"))],
    "page:consultations.DraftPage:draft_home": [
        get(PUBLIC, "in", path=page_url("draft_in")),
        get(PUBLIC, "out", path=page_url("draft_out")),
        get(
            roles(OK, anonymous=Expect("page-login", (302,), location="/_util/login/", refused=True)),
            "restricted",
            path=page_url("draft_restricted"),
        ),
    ],
    # RoutablePageMixin's own "" route, shadowed by draft_home: the same page
    "page:consultations.DraftPage:index_route": [get(PUBLIC, path=page_url("draft_out"))],
    "page:consultations.DraftPage:comment": [
        get(ALL_POST_REFUSED, path=page_url("draft_in", "comment/")),
        post(
            SIGN_IN_TO_WRITE,
            path=page_url("draft_in", "comment/"),
            data=lambda w: {"stance": "amend", "text": "建议增加物业费收支情况的年度公示要求。", "provision": ""},
        ),
    ],
    # The same address, found by consultations.comment_route before Wagtail's routing (config/urls.py).
    "draft_comment": [
        get(ALL_POST_REFUSED, path=page_url("draft_in", "comment/")),
        post(
            SIGN_IN_TO_WRITE,
            path=page_url("draft_in", "comment/"),
            data=lambda w: {"stance": "amend", "text": "建议明确物业服务合同的公示方式。", "provision": ""},
        ),
    ],
    "page:consultations.DraftPage:article": [
        get(PUBLIC, path=lambda w: w.draft_in.url + f"articles/{w.article_in.pk}/"),
    ],
    "page:consultations.DraftPage:compare": [get(PUBLIC, path=page_url("draft_in", "compare/"))],
    "page:consultations.DraftPage:report": [
        get(PUBLIC, "published", path=page_url("draft_reported", "report/")),
        get(LEGISLATOR_REPORT, "unpublished-in", path=page_url("draft_in", "report/")),
        get(roles(NOT_FOUND, administrator=OK, superuser=OK), "unpublished-out", path=page_url("draft_out", "report/")),
    ],
    "page:consultations.DraftPage:report_pdf": [
        get(PUBLIC, "published", path=page_url("draft_reported", "report/pdf/")),
        get(LEGISLATOR_REPORT, "unpublished-in", path=page_url("draft_in", "report/pdf/")),
    ],
    "page:consultations.DraftPage:export": [
        get(
            roles(FORBIDDEN, anonymous=LOGIN, legislator=OK, administrator=OK, superuser=OK),
            "in",
            path=page_url("draft_in", "export/"),
        ),
        get(
            roles(FORBIDDEN, anonymous=LOGIN, administrator=OK, superuser=OK),
            "out",
            path=page_url("draft_out", "export/"),
        ),
        post(
            roles(
                FORBIDDEN,
                anonymous=LOGIN,
                legislator=Expect("redirect", (302,)),
                administrator=Expect("redirect", (302,)),
                superuser=Expect("redirect", (302,)),
            ),
            "prepare-in",
            path=page_url("draft_in", "export/"),
            data=lambda w: {"format": "csv"},
        ),
        post(
            roles(
                FORBIDDEN,
                anonymous=LOGIN,
                administrator=Expect("redirect", (302,)),
                superuser=Expect("redirect", (302,)),
            ),
            "prepare-out",
            path=page_url("draft_out", "export/"),
            data=lambda w: {"format": "csv"},
        ),
    ],
    # A prepared export's file: the draft's managers only (no file here: they get 404, others no further).
    "page:consultations.DraftPage:export_file": [
        get(
            roles(FORBIDDEN, anonymous=LOGIN, legislator=NOT_FOUND, administrator=NOT_FOUND, superuser=NOT_FOUND),
            "in",
            path=page_url("draft_in", "export/files/999999/"),
        ),
        get(
            roles(FORBIDDEN, anonymous=LOGIN, administrator=NOT_FOUND, superuser=NOT_FOUND),
            "out",
            path=page_url("draft_out", "export/files/999999/"),
        ),
    ],
    # The published comments as open data: public once the report is published, for no one before.
    "page:consultations.DraftPage:open_data": [
        get(PUBLIC, "published", path=page_url("draft_reported", "open-data/csv/")),
        get(roles(NOT_FOUND), "unpublished", path=page_url("draft_in", "open-data/csv/")),
    ],
    "wagtailcore_authenticate_with_password": [
        get(roles(NOT_FOUND), kwargs=lambda w: {"page_view_restriction_id": 999999, "page_id": w.draft_in.pk})
    ],
    "wagtailcore_login": [get(PUBLIC)],
    # --- documents, languages ---
    "wagtaildocs_serve": [get(roles(NOT_FOUND), path=lambda w: "/documents/999999/missing.pdf")],
    "wagtaildocs_authenticate_with_password": [get(roles(NOT_FOUND), kwargs=lambda w: {"restriction_id": 999999})],
    "set_language": [
        post(roles(Expect("redirect", (302,))), data=lambda w: {"language": "en", "next": "/"}),
    ],
    # --- petitions ---
    "petitions:list": [get(PUBLIC)],
    "petitions:new": [
        get(SIGNED_IN),
        post(
            SIGN_IN_TO_WRITE,
            data=lambda w: {
                "title": "增设社区公共充电设施",
                "action": "请求在老旧小区增设电动自行车集中充电设施。",
                "background": "",
                "region": "130626",
            },
        ),
    ],
    "petitions:moderation": [get(MODERATORS)],
    "petitions:detail": [
        get(PUBLIC, "open", kwargs=lambda w: {"petition_id": w.petition_open.pk}),
        get(
            roles(NOT_FOUND, legislator=OK, administrator=OK, superuser=OK),
            "pending-in",
            kwargs=lambda w: {"petition_id": w.petition_pending_in.pk},
        ),
        get(
            roles(NOT_FOUND, administrator=OK, superuser=OK),
            "pending-out",
            kwargs=lambda w: {"petition_id": w.petition_pending_out.pk},
        ),
    ],
    "petitions:sign": [
        get(ALL_POST_REFUSED, kwargs=lambda w: {"petition_id": w.petition_open.pk}),
        post(
            roles(DONE),
            "open",
            kwargs=lambda w: {"petition_id": w.petition_open.pk},
            data=lambda w: {"name": "李四", "email": "lisi@example.cn", "region": "130626"},
        ),
        post(
            roles(NOT_FOUND, legislator=ANSWERED, administrator=ANSWERED, superuser=ANSWERED),
            "pending-in",
            kwargs=lambda w: {"petition_id": w.petition_pending_in.pk},
            data=lambda w: {"name": "李四", "email": "lisi@example.cn", "region": "130626"},
        ),
    ],
    "petitions:moderate": [
        get(ALL_POST_REFUSED, kwargs=lambda w: {"petition_id": w.petition_pending_in.pk}),
        post(
            roles(FORBIDDEN, anonymous=LOGIN, legislator=DONE, administrator=DONE, superuser=DONE),
            "in",
            kwargs=lambda w: {"petition_id": w.petition_pending_in.pk},
            data=lambda w: {"action": "publish"},
        ),
        post(
            roles(FORBIDDEN, anonymous=LOGIN, administrator=DONE, superuser=DONE),
            "out",
            kwargs=lambda w: {"petition_id": w.petition_pending_out.pk},
            data=lambda w: {"action": "publish"},
        ),
    ],
    "petitions:confirm": [
        get(PUBLIC, kwargs=lambda w: {"token": w.signature_token}),
        post(roles(DONE), kwargs=lambda w: {"token": w.signature_token}),
    ],
    # --- petitions: the answer loop (moderators of the petition's region) ---
    "petitions:responses": [get(MODERATORS)],
    "petitions:respond": [
        get(MODERATORS, "in", kwargs=lambda w: {"petition_id": w.petition_due_in.pk}),
        get(
            roles(FORBIDDEN, anonymous=LOGIN, administrator=OK, superuser=OK),
            "out",
            kwargs=lambda w: {"petition_id": w.petition_due_out.pk},
        ),
        post(
            roles(FORBIDDEN, anonymous=LOGIN, legislator=DONE, administrator=DONE, superuser=DONE),
            "in",
            kwargs=lambda w: {"petition_id": w.petition_due_in.pk},
            data=lambda w: {"action": "draft", "text": "市住房城乡建设局将于下月起公开全部占道施工审批信息。"},
        ),
        post(
            roles(FORBIDDEN, anonymous=LOGIN, administrator=DONE, superuser=DONE),
            "out",
            kwargs=lambda w: {"petition_id": w.petition_due_out.pk},
            data=lambda w: {"action": "draft", "text": "市住房城乡建设局将于下月起公开全部占道施工审批信息。"},
        ),
    ],
    "petitions:unsubscribe": [
        get(PUBLIC, kwargs=lambda w: {"token": w.unsubscribe_token}),
        post(roles(OK), kwargs=lambda w: {"token": w.unsubscribe_token}),
    ],
    # --- my participation: the signed-in person's own page, follows and e-mail choice; the signed link ---
    "participation:mine": [get(SIGNED_IN)],
    "participation:follow": [
        get(roles(NOT_ALLOWED, anonymous=LOGIN)),
        post(SIGN_IN_TO_WRITE, data=lambda w: {"subject": "petitions.petition", "object_id": w.petition_open.pk}),
    ],
    "participation:preferences": [
        get(roles(NOT_ALLOWED, anonymous=LOGIN)),
        post(SIGN_IN_TO_WRITE, data=lambda w: {"frequency": "daily"}),
    ],
    "participation:unsubscribe": [
        get(PUBLIC, kwargs=lambda w: {"token": _participation_token(w)}),
        post(roles(OK), kwargs=lambda w: {"token": _participation_token(w)}),
        get(roles(NOT_FOUND), "tampered", kwargs=lambda w: {"token": _participation_token(w)[:-2] + "xx"}),
    ],
    # --- reports: the reporter's pages (the follow-up code's session is the credential) ---
    "reports:new": [get(PUBLIC)],
    "reports:check": [get(PUBLIC)],
    "reports:case": [
        get(roles(Expect("to-check", (302,), location="/reports/check/")), "no-session"),
        get(PUBLIC, "session", session=reporter_session("in")),
    ],
    "reports:add": [
        get(ALL_POST_REFUSED, session=reporter_session("in")),
        post(roles(NOT_FOUND), "no-session", data=lambda w: {"body": "补充：合同编号2026-02。"}),
        post(
            roles(DONE), "session", session=reporter_session("in"), data=lambda w: {"body": "补充：合同编号2026-02。"}
        ),
    ],
    "reports:evaluate": [
        get(ALL_POST_REFUSED),
        post(roles(NOT_FOUND), "no-session", data=lambda w: {"satisfied": "yes"}),
    ],
    "reports:leave": [get(ALL_POST_REFUSED), post(roles(Expect("to-check", (302,), location="/reports/check/")))],
    # --- reports: the inspectors' case pages ---
    "reports:staff_list": [get(INSPECTOR_PAGE)],
    "reports:staff_detail": [
        get(inspector_object(True), "in", kwargs=report("in")),
        get(inspector_object(False), "out", kwargs=report("out")),
    ],
    "reports:staff_act": [
        get(ALL_POST_REFUSED, kwargs=report("in")),
        post(inspector_post(True), "in", kwargs=report("in"), data=lambda w: {"action": "accept"}),
        post(inspector_post(False), "out", kwargs=report("out"), data=lambda w: {"action": "accept"}),
    ],
    "reports:staff_extend": [
        get(ALL_POST_REFUSED, kwargs=report("in")),
        post(
            inspector_post(True, allowed=ANSWERED),
            "in",
            kwargs=report("in"),
            data=lambda w: {"days": "5", "reason": "案情复杂"},
        ),
        post(
            inspector_post(False, allowed=ANSWERED),
            "out",
            kwargs=report("out"),
            data=lambda w: {"days": "5", "reason": "案情复杂"},
        ),
    ],
    "reports:staff_reply": [
        get(ALL_POST_REFUSED, kwargs=report("in")),
        post(inspector_post(True, allowed=ANSWERED), "in", kwargs=report("in"), data=lambda w: {"body": "已核实。"}),
        post(inspector_post(False, allowed=ANSWERED), "out", kwargs=report("out"), data=lambda w: {"body": "已核实。"}),
    ],
    "reports:staff_assign": [
        get(ALL_POST_REFUSED, kwargs=report("in")),
        post(
            inspector_post(True),
            "in",
            kwargs=report("in"),
            data=lambda w: {"handler": w.users["inspector_national"].pk},
        ),
        post(
            inspector_post(False),
            "out",
            kwargs=report("out"),
            data=lambda w: {"handler": w.users["inspector_national"].pk},
        ),
    ],
    "reports:staff_reveal": [
        get(ALL_POST_REFUSED, kwargs=report("in")),
        post(
            inspector_post(True, allowed=Expect("revealed", (200,), performs=True)),
            "in",
            kwargs=report("in"),
            data=lambda w: {"reason": "核实举报人身份"},
        ),
        post(
            inspector_post(False, allowed=Expect("revealed", (200,), performs=True)),
            "out",
            kwargs=report("out"),
            data=lambda w: {"reason": "核实举报人身份"},
        ),
    ],
    "reports:staff_attachment": [
        get(
            ALL_POST_REFUSED, kwargs=lambda w: {"public_id": w.report_in.public_id, "attachment_id": w.attachment_in.pk}
        ),
        post(
            inspector_post(True, allowed=Expect("file", (200,), performs=True)),
            "in",
            kwargs=lambda w: {"public_id": w.report_in.public_id, "attachment_id": w.attachment_in.pk},
            data=lambda w: {"reason": "查看证据"},
        ),
        post(
            inspector_post(False, allowed=Expect("file", (200,), performs=True)),
            "out",
            kwargs=lambda w: {"public_id": w.report_out.public_id, "attachment_id": w.attachment_out.pk},
            data=lambda w: {"reason": "查看证据"},
        ),
    ],
    # --- monitoring ---
    "monitoring:dashboard": [get(INSPECTOR_PAGE)],
    "monitoring:alert": [
        get(inspector_object(True, other=FORBIDDEN, admin=FORBIDDEN), "in", kwargs=alert("in")),
        get(inspector_object(False, other=FORBIDDEN, admin=FORBIDDEN), "out", kwargs=alert("out")),
    ],
    "monitoring:alert_move": [
        get(ALL_POST_REFUSED, kwargs=alert("in")),
        *(
            post(
                inspector_post(where == "in", other=FORBIDDEN, admin=FORBIDDEN),
                where,
                kwargs=alert(where),
                data=lambda w: {"target": "dismissed", "note": "属于划拨补办出让，符合政策"},
            )
            for where in ("in", "out")
        ),
    ],
    "monitoring:task_create": [
        get(ALL_POST_REFUSED, kwargs=alert("in")),
        *(
            post(
                inspector_post(where == "in", allowed=ANSWERED, other=FORBIDDEN, admin=FORBIDDEN),
                where,
                kwargs=alert(where),
            )
            for where in ("in", "out")
        ),
    ],
    "monitoring:task_result": [
        get(ALL_POST_REFUSED, kwargs=alert("in")),
        *(
            post(
                inspector_post(where == "in", other=FORBIDDEN, admin=FORBIDDEN),
                where,
                kwargs=alert(where),
                data=lambda w: {"result": "经核实：以协议方式出让商品住宅用地，已移送立案。"},
            )
            for where in ("in", "out")
        ),
    ],
    # The entity search finds only entities with a record in the viewer's jurisdiction (tests/monitoring).
    "monitoring:entities": [get(INSPECTOR_PAGE)],
    # An entity profile with nothing in the viewer's jurisdiction does not exist for them.
    "monitoring:entity": [
        get(inspector_object(True), "in", kwargs=lambda w: {"entity_id": w.entity_in.pk}),
        get(inspector_object(False), "out", kwargs=lambda w: {"entity_id": w.entity_out.pk}),
    ],
    "monitoring:process": [
        get(inspector_object(True), "in", kwargs=lambda w: {"ocid": w.process_in.ocid}),
        get(inspector_object(False), "out", kwargs=lambda w: {"ocid": w.process_out.ocid}),
    ],
    "approvals:case": [
        get(inspector_object(True), "in", kwargs=lambda w: {"case_id": w.approval_in.pk}),
        get(inspector_object(False), "out", kwargs=lambda w: {"case_id": w.approval_out.pk}),
    ],
    # --- search ---
    "search:page": [get(PUBLIC), get(PUBLIC, "query", query="?q=物业")],
    # --- the API ---
    "api:api-root": [get(roles(NOT_FOUND))],
    "api:openapi-json": [get(PUBLIC)],
    "api:openapi-view": [get(PUBLIC)],
    "api:health": [get(PUBLIC)],
    "api:me": [get(roles(OK, anonymous=UNAUTHORIZED))],
    "api:list_drafts": [get(PUBLIC)],
    "api:get_draft": [
        get(PUBLIC, "in", kwargs=draft("in")),
        get(roles(OK, anonymous=NOT_FOUND), "restricted", kwargs=draft("restricted")),
    ],
    "api:get_structure": [
        get(PUBLIC, "in", kwargs=draft("in")),
        get(roles(OK, anonymous=NOT_FOUND), "restricted", kwargs=draft("restricted")),
    ],
    "api:list_comments": [
        get(PUBLIC, "in", kwargs=draft("in")),
        get(roles(OK, anonymous=NOT_FOUND), "restricted", kwargs=draft("restricted")),
    ],
    "api:get_report": [
        get(PUBLIC, "published", kwargs=draft("reported")),
        get(roles(NOT_FOUND), "unpublished", kwargs=draft("in")),
    ],
    "api:create_comment": [
        post(
            roles(CREATED, anonymous=UNAUTHORIZED),
            kwargs=draft("in"),
            json=True,
            data=lambda w: {"text": "建议增加物业费收支情况的年度公示要求。", "stance": "amend"},
        ),
    ],
    "api:suggest_regions": [get(PUBLIC), get(PUBLIC, "query", query="?q=保定")],
    "api:region_children": [
        get(PUBLIC, "in", kwargs=lambda w: {"code": "130600"}),
        get(roles(NOT_FOUND), "unknown", kwargs=lambda w: {"code": "999999"}),
    ],
    "api:list_petitions": [get(PUBLIC)],
    "api:get_petition": [
        get(PUBLIC, "open", kwargs=lambda w: {"petition_id": w.petition_open.pk}),
        get(roles(NOT_FOUND), "pending", kwargs=lambda w: {"petition_id": w.petition_pending_in.pk}),
    ],
    "api:publish_response": [
        post(
            roles(FORBIDDEN, anonymous=UNAUTHORIZED, legislator=WRITTEN, administrator=WRITTEN, superuser=WRITTEN),
            "in",
            kwargs=lambda w: {"petition_id": w.petition_due_in.pk},
            json=True,
            data=lambda w: {"text": PETITION_RESPONSE},
        ),
        post(
            roles(FORBIDDEN, anonymous=UNAUTHORIZED, administrator=WRITTEN, superuser=WRITTEN),
            "out",
            kwargs=lambda w: {"petition_id": w.petition_due_out.pk},
            json=True,
            data=lambda w: {"text": PETITION_RESPONSE},
        ),
    ],
    "api:record_consideration": [
        post(
            roles(FORBIDDEN, anonymous=UNAUTHORIZED, legislator=ANSWERED, administrator=ANSWERED, superuser=ANSWERED),
            "in",
            kwargs=lambda w: {"petition_id": w.petition_due_in.pk},
            json=True,
            data=lambda w: {
                "considered_on": "2026-01-05",
                "summary": "市人大常委会审议了该请愿，要求市政府提交专项报告。",
            },
        ),
    ],
    **{
        f"api:{name}": [
            get(ALL_POST_REFUSED),
            post(roles(UNAUTHORIZED), "no-token", json=True, data=lambda w: {}),
            post(
                {"anonymous": Expect("403", (403,), refused=True)},
                "other-domain-token",
                json=True,
                data=lambda w: {},
                headers=bearer(other),
            ),
        ]
        for name, other in (
            ("ingest_land_records", "procurement"),
            ("ingest_procurement", "approval"),
            ("ingest_approval_cases", "land"),
        )
    },
    # --- the Wagtail admin: the project's own screens ---
    "wagtailadmin_home": [get(ADMIN_HOME)],
    "consultations_admin:drafts": [get(ADMIN_HOME)],
    "consultations_admin:moderation": [get(ADMIN_HOME)],
    "consultations_admin:moderate": [
        get(
            admin_page(**dict.fromkeys(STAFF, NOT_ALLOWED)),
            kwargs=lambda w: {"comment_id": w.pending_comment_in.pk},
        ),
        *(
            post(
                manager_page(where == "in", allowed=DONE),
                where,
                kwargs=lambda w, where=where: {"comment_id": w.objects[f"pending_comment_{where}"].pk},
                data=lambda w: {"action": "approve"},
            )
            for where in ("in", "out")
        ),
    ],
    "consultations_admin:moderate_bulk": [
        get(admin_page(**dict.fromkeys(STAFF, NOT_ALLOWED))),
        *(
            post(
                admin_page(
                    legislator=DONE if where == "in" else NOTHING_CHOSEN,
                    inspector_national=NOTHING_CHOSEN,
                    inspector_baoding=NOTHING_CHOSEN,
                    administrator=DONE,
                    superuser=DONE,
                ),
                where,
                data=lambda w, where=where: {"comment": [w.objects[f"pending_comment_{where}"].pk], "do": "approve"},
            )
            for where in ("in", "out")
        ),
    ],
    "consultations_admin:import": [
        *manager_gets(draft),
        post(
            manager_page(False, allowed=DONE),
            "out",
            kwargs=draft("out"),
            data=lambda w: {"label": "三审稿", "text": w.objects["sample_text"]},
        ),
    ],
    "consultations_admin:themes": [
        *manager_gets(draft),
        post(
            manager_page(False, allowed=DONE),
            "out",
            kwargs=draft("out"),
            data=lambda w: {"title": "新主题", "summary": "", "comments": []},
        ),
    ],
    "consultations_admin:publish": [
        get(admin_page(**dict.fromkeys(STAFF, NOT_ALLOWED)), kwargs=draft("in")),
        post(
            manager_page(False, allowed=Expect("to-themes", (302,), location="/admin/consultations/")),
            "out",
            kwargs=draft("out"),
        ),
    ],
    "consultations_admin:decide": [
        get(admin_page(**dict.fromkeys(STAFF, NOT_ALLOWED)), kwargs=theme("in")),
        *(
            post(
                manager_page(where == "in", allowed=ANSWERED),
                where,
                kwargs=theme(where),
                data=lambda w, where=where: {
                    f"t{w.objects[f'theme_{where}'].pk}-decision": "not_adopted",
                    f"t{w.objects[f'theme_{where}'].pk}-reason": "与上位法规定不一致。",
                },
            )
            for where in ("in", "out")
        ),
    ],
    "consultations_admin:review": [
        *manager_gets(draft),
    ],
    "consultations_admin:cluster": [
        get(admin_page(**dict.fromkeys(STAFF, NOT_ALLOWED)), kwargs=draft("in")),
        post(
            manager_page(False, allowed=Expect("to-review", (302,), location="/admin/consultations/")),
            "out",
            kwargs=draft("out"),
            data=lambda w: {"k": "x"},
        ),
    ],
    "consultations_admin:review_articles": [
        *manager_gets(draft),
    ],
    "consultations_admin:review_search": [
        *manager_gets(draft),
    ],
    "consultations_admin:review_campaigns": [
        *manager_gets(draft),
    ],
    "consultations_admin:review_campaign": [
        *(
            get(
                manager_page(where == "in"),
                where,
                kwargs=lambda w, where=where: {"campaign_id": w.objects[f"campaign_{where}"].pk},
            )
            for where in ("in", "out")
        ),
    ],
    "consultations_admin:review_theme": [
        *manager_gets(theme),
    ],
    "consultations_admin:rename_theme": [
        get(admin_page(**dict.fromkeys(STAFF, NOT_ALLOWED)), kwargs=theme("in")),
        *(
            post(
                manager_page(where == "in", allowed=DONE),
                where,
                kwargs=theme(where),
                data=lambda w: {"title": "收费公示"},
            )
            for where in ("in", "out")
        ),
    ],
    "consultations_admin:merge_theme": [
        get(admin_page(**dict.fromkeys(STAFF, NOT_ALLOWED)), kwargs=theme("in")),
        *(
            post(
                manager_page(where == "in", allowed=DONE),
                where,
                kwargs=theme(where),
                data=lambda w, where=where: {"target": w.objects[f"other_theme_{where}"].pk, "confirm": "1"},
            )
            for where in ("in", "out")
        ),
    ],
    "consultations_admin:split_theme": [
        get(admin_page(**dict.fromkeys(STAFF, NOT_ALLOWED)), kwargs=theme("in")),
        post(
            manager_page(False, allowed=ANSWERED),
            "out",
            kwargs=theme("out"),
            data=lambda w: {
                "title": "拆分主题",
                "comments": [c.pk for c in w.theme_out.comments.all()],
                "confirm": "1",
            },
        ),
    ],
    "consultations_admin:remove_member": [
        get(admin_page(**dict.fromkeys(STAFF, NOT_ALLOWED)), kwargs=theme("in")),
        post(
            manager_page(False, allowed=DONE),
            "out",
            kwargs=theme("out"),
            data=lambda w: {"comment": w.theme_out.comments.first().pk, "confirm": "1"},
        ),
    ],
    # Undoing a logged change of a theme: its managers only (an unknown log entry is answered, nothing written).
    "consultations_admin:undo_theme": [
        get(admin_page(**dict.fromkeys(STAFF, NOT_ALLOWED)), kwargs=lambda w: {**theme("in")(w), "entry_id": 999999}),
        *(
            post(
                manager_page(where == "in", allowed=ANSWERED),
                where,
                kwargs=lambda w, where=where: {**theme(where)(w), "entry_id": 999999},
            )
            for where in ("in", "out")
        ),
    ],
    **snippet_rules("wagtailsnippets_monitoring_rulesetting", delete=ADMIN_DENIED),
    **snippet_rules("wagtailsnippets_workdays_workingdayoverride", delete=OK),
    **snippet_rules("wagtailsnippets_consultations_sensitiveword", delete=OK),
    # the users admin carries jurisdictions (accounts.viewsets.UserViewSet): administrators only
    "wagtailusers_users:index": [get(ADMIN_ONLY)],
    "wagtailusers_users:index_results": [get(ADMIN_ONLY)],
    "wagtailusers_users:add": [get(ADMIN_ONLY)],
    "wagtailusers_users:edit": [
        get(ADMIN_ONLY, kwargs=lambda w: {"pk": w.users["citizen"].pk}),
        post(
            admin_page(administrator=ANSWERED, superuser=ANSWERED),
            kwargs=lambda w: {"pk": w.users["citizen"].pk},
            data=lambda w: {"email": "changed@example.cn"},
        ),
    ],
    "wagtailusers_users:delete": [
        get(ADMIN_ONLY, kwargs=lambda w: {"pk": w.users["citizen"].pk}),
    ],
    "wagtailusers_users:history": [get(ADMIN_ONLY, kwargs=lambda w: {"pk": w.users["citizen"].pk})],
    "wagtailusers_users:history_results": [get(ADMIN_ONLY, kwargs=lambda w: {"pk": w.users["citizen"].pk})],
    "wagtailusers_users:usage": [get(ADMIN_ONLY, kwargs=lambda w: {"pk": w.users["citizen"].pk})],
    "wagtailusers_users:copy": [get(ADMIN_ONLY, kwargs=lambda w: {"pk": w.users["citizen"].pk})],
    # --- WebSockets ---
    "ws:ws/live/": [ws(roles(WS_ACCEPT, anonymous=WS_4401, citizen=WS_4403), path=lambda w: "/ws/live/")],
    "ws:ws/drafts/<int:draft_id>/": [
        ws(roles(WS_ACCEPT), "in", path=lambda w: f"/ws/drafts/{w.draft_in.pk}/"),
        ws(roles(WS_4404), "missing", path=lambda w: "/ws/drafts/999999/"),
        ws(
            roles(WS_ACCEPT, anonymous=WS_4404),
            "restricted",
            path=lambda w: f"/ws/drafts/{w.objects['draft_restricted'].pk}/",
        ),
    ],
}

# allauth (accounts, e-mail, passwords, two-factor): every page named.
RULES.update(
    {
        "account_login": [get(SIGNED_OUT_ONLY)],
        "account_signup": [get(SIGNED_OUT_ONLY)],
        "account_logout": [get(roles(OK, anonymous=REDIRECT_HOME))],
        "account_inactive": [get(PUBLIC)],
        "account_reauthenticate": [get(SIGNED_IN)],
        "account_email": [get(SIGNED_IN)],
        "account_email_verification_sent": [get(PUBLIC)],
        "account_change_password": [get(SIGNED_IN)],
        "account_set_password": [
            get(roles(Expect("to-change", (302,), location="/accounts/password/change/"), anonymous=LOGIN))
        ],
        "account_reset_password": [get(PUBLIC)],
        "account_reset_password_done": [get(PUBLIC)],
        "account_reset_password_from_key": [get(PUBLIC, path=lambda w: "/accounts/password/reset/key/1-bad-key/")],
        "account_reset_password_from_key_done": [get(PUBLIC)],
        "account_confirm_email": [get(PUBLIC, path=lambda w: "/accounts/confirm-email/bad-key/")],
        "account_confirm_login_code": [
            get(roles(REDIRECT_HOME, anonymous=LOGIN))
        ],  # a step of signing in: nothing to do once in
        "mfa_index": [get(SIGNED_IN)],
        "mfa_authenticate": [get(roles(REDIRECT_HOME, anonymous=LOGIN))],  # a step of signing in: nothing to do once in
        "mfa_reauthenticate": [get(SIGNED_IN_RECENTLY)],
        "mfa_activate_totp": [get(SIGNED_IN_RECENTLY)],
        "mfa_deactivate_totp": [get(roles(NOT_FOUND, anonymous=LOGIN))],
        "mfa_view_recovery_codes": [get(roles(NOT_FOUND, anonymous=LOGIN))],
        "mfa_generate_recovery_codes": [get(SIGNED_IN_RECENTLY)],
        "mfa_download_recovery_codes": [get(roles(NOT_FOUND, anonymous=LOGIN))],
    }
)

# Third-party prefixes with their own permission systems: every URL under them is refused to the
# anonymous and the public (and, for the Django admin, to every role but the superuser).
PREFIX_RULES: dict[str, dict[str, Expect]] = {
    "admin/": {"anonymous": ADMIN_LOGIN, "citizen": ADMIN_LOGIN},
    "django-admin/": {
        "anonymous": DJANGO_ADMIN_LOGIN,
        "citizen": DJANGO_ADMIN_LOGIN,
        "administrator": DJANGO_ADMIN_LOGIN,
    },
}
# Pages under those prefixes that everyone may open: logins, password resets, the 404 page.
PREFIX_PUBLIC = {
    "wagtailadmin_login": roles(Expect("to-admin", (302,), location="=/admin/"), anonymous=OK, citizen=OK),
    "wagtailadmin_password_reset": {"anonymous": OK, "citizen": OK},
    "wagtailadmin_password_reset_done": {"anonymous": OK, "citizen": OK},
    "wagtailadmin_password_reset_confirm": {"anonymous": OK, "citizen": OK},
    "wagtailadmin_password_reset_complete": {"anonymous": OK, "citizen": OK},
    "wagtailadmin_sprite": {"anonymous": OK, "citizen": OK},  # the icons
    "wagtailadmin_javascript_catalog": {"anonymous": OK, "citizen": OK},  # translations for the admin's scripts
    "admin:login": {"anonymous": OK, "citizen": OK, "administrator": OK},
    # logging out of the Django admin is a POST; a GET by someone who is not admin staff goes to its index
    "admin:logout": {"anonymous": Expect("to-index", (302,), location="=/django-admin/", refused=True)},
}

# URLs under /admin/ that belong to the project need their own entry, not the prefix rule.
PROJECT_PACKAGES = (
    "accounts",
    "consultations",
    "core",
    "home",
    "monitoring",
    "petitions",
    "reports",
    "regions",
    "search",
    "workdays",
    "config",
)
PROJECT_NAME = re.compile(
    r"^(consultations_admin:|wagtailsnippets(choosers)?_(petitions|monitoring|procurement|approvals|consultations|accounts|workdays)_|wagtailusers_users:)"
)


# --- walking the URL configuration ---------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    key: str
    route: str
    name: str | None
    project: bool


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            module = getattr(inspect.unwrap(pattern.callback), "__module__", "") or ""
            project = module.split(".")[0] in PROJECT_PACKAGES or bool(name and PROJECT_NAME.match(name))
            yield Url(name or prefix + str(pattern.pattern), prefix + str(pattern.pattern), name, project)


def all_urls() -> list[Url]:
    """The resolver's URLs, the routes of the project's Wagtail page types, and the WebSocket routes."""
    from wagtail.models import Page

    from config.routing import websocket_urlpatterns

    urls = list(_walk(get_resolver().url_patterns))
    for model in apps.get_models():
        if issubclass(model, Page) and model is not Page and model._meta.app_label.split(".")[0] in PROJECT_PACKAGES:
            label = f"page:{model._meta.label}"
            routes = model.get_subpage_urls() if hasattr(model, "get_subpage_urls") else []
            if not routes:
                urls.append(Url(label, label, None, True))
            for route in routes:
                urls.append(Url(f"{label}:{route.name}", str(route.pattern), route.name, True))
    for pattern in _walk(websocket_urlpatterns):
        urls.append(Url(f"ws:{pattern.route}", pattern.route, None, True))
    return urls


URLS = all_urls()

SAMPLES = [
    (re.compile(r"\(\?P<\w+>\\d\+\)"), "1"),
    (re.compile(r"\(\?P<\w+>([\w|]+?)(\|[^)]*)?\)"), r"\1"),  # (?P<app_label>a|b|c) → a
    (re.compile(r"\(\?P<\w+>[^)]*\)"), "x"),
    (re.compile(r"\(\\d\+\)"), "1"),
    (re.compile(r"\([^)]*\)"), "x"),
    (re.compile(r"<int:\w+>"), "1"),
    (re.compile(r"<uuid:\w+>"), str(uuid.UUID(int=1))),
    (re.compile(r"<(str|slug|path|)\:?\w+>"), "x"),
    (re.compile(r"\.\*"), "x"),
    (re.compile(r"\\\."), "."),
    (re.compile(r"[\^$]"), ""),
]


def sample_path(url: Url) -> str:
    path = url.route
    for pattern, replacement in SAMPLES:
        path = pattern.sub(replacement, path)
    return "/" + path


def rule_for(url: Url) -> tuple[str, list[Probe]] | None:
    if url.key in RULES:
        return "rule", RULES[url.key]
    if url.key in PREFIX_PUBLIC or url.route in PREFIX_PUBLIC:
        expect = PREFIX_PUBLIC.get(url.key) or PREFIX_PUBLIC[url.route]
        return "prefix-public", [get(expect, path=lambda w, url=url: sample_path(url))]
    if not url.project:
        for prefix, expect in PREFIX_RULES.items():
            if url.route.startswith(prefix):
                return "prefix", [get(expect, path=lambda w, url=url: sample_path(url))]
    return None


@dataclass(frozen=True)
class Case:
    url: Url
    probe: Probe | None
    role: str
    id: str = field(compare=False)


def _cases() -> list[Case]:
    cases = []
    for url in URLS:
        found = rule_for(url)
        if found is None:
            cases.append(Case(url, None, "", id=f"{url.key}-NO-RULE"))
            continue
        for probe in found[1]:
            for role, _expect in probe.expect.items():
                label = f"-{probe.label}" if probe.label else ""
                cases.append(Case(url, probe, role, id=f"{url.key}{label}-{probe.method}-{role}"))
    return cases


CASES = _cases()

# Holes the matrix found that are being fixed elsewhere (see the issue #10 report): the expectation above is the
# correct behaviour; strict, so the marker must go when the fix lands.
KNOWN_HOLES: dict[str, str] = {}


def _params():
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_HOLES[case.id])] if case.id in KNOWN_HOLES else []
        yield pytest.param(case, id=case.id, marks=marks)


# --- the world, built once for the module ------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The objects and users, built once in a transaction rolled back after the module; each test runs
    in a savepoint inside it (pytest-django's `db`), so what one case writes the next does not see."""
    from tests.consultations.conftest import SAMPLE

    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        built.objects["sample_text"] = SAMPLE.replace("业主应当遵守管理规约。", "业主应当遵守管理规约和临时管理规约。")
        yield built
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def shared_client():
    """One test client for the module: a new client loads the middleware again, and WhiteNoise's scans the
    static files, which would be most of each case's time."""
    from django.test import Client

    return Client()


@pytest.fixture
def browser(shared_client):
    from http.cookies import SimpleCookie

    shared_client.cookies = SimpleCookie()
    return shared_client


FINGERPRINT_APPS = {
    "accounts",
    "participation",
    "auth",
    "consultations",
    "petitions",
    "reports",
    "monitoring",
    "procurement",
    "approvals",
    "search",
    "wagtailcore",
    "mfa",
    "account",
}


def fingerprint() -> str:
    """A digest of every row of the project's (and Wagtail's page) tables: unchanged means nothing was written."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label in FINGERPRINT_APPS and not meta.proxy and meta.managed:
            columns = [f.attname for f in meta.concrete_fields if f.attname != "last_login"]
            rows = model._base_manager.order_by("pk").values_list(*columns)
            digest.update(f"{meta.label}:{list(rows)!r}".encode())
    return digest.hexdigest()


def _path(url: Url, probe: Probe, world: World) -> str:
    if probe.path is not None:
        return probe.path(world)
    from django.urls import reverse

    return reverse(url.name, kwargs=probe.kwargs(world) if probe.kwargs else None)


def _request(client, url: Url, probe: Probe, world: World):
    path = _path(url, probe, world) + probe.query
    if probe.session:
        session = client.session
        session.update(probe.session(world))
        session.save()
    headers = probe.headers(world) if probe.headers else {}
    if probe.method == "GET":
        return client.get(path, **headers)
    data = probe.data(world) if probe.data else {}
    if probe.json:
        return client.post(path, data=data, content_type="application/json", **headers)
    return client.post(path, data=data, **headers)


def _websocket(probe: Probe, world: World, user) -> object:
    """Open the WebSocket through the full ASGI stack, signed in with a session cookie."""
    from channels.testing import WebsocketCommunicator
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from config.asgi import application

    headers = [(b"origin", b"http://127.0.0.1")]
    if user is not None:
        store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={store.session_key}".encode()))

    async def connect():
        communicator = WebsocketCommunicator(application, probe.path(world), headers=headers)
        connected, code = await communicator.connect()
        # refused or not, the consumer is told the socket closed and waited for: one left running would be
        # cancelled with its channel-layer receive when the loop shuts down, which can wait forever
        await communicator.disconnect()
        return "accept" if connected else code

    return async_to_sync(connect)()


def _location(response) -> str:
    from urllib.parse import urlsplit

    return urlsplit(response.get("Location", "")).path


@pytest.mark.parametrize("case", list(_params()))
def test_role_against_url(case: Case, world, browser, db, monkeypatch):
    client = browser
    if case.probe is None:
        pytest.fail(
            f"No permission rule for {case.url.route!r} ({case.url.name or 'unnamed'}): add an entry to RULES "
            "in tests/site/config/test_permission_matrix.py saying who may reach it."
        )
    # given
    expect = case.probe.expect[case.role]
    user = world.users.get(case.role)
    if user is not None:
        client.force_login(user)

    # when
    if case.probe.method == "WS":
        # The consumers' database calls run in a worker thread: hand it this thread's connection, which
        # holds the module's objects in its open transaction, instead of letting it close or open its own.
        from django.db import connections

        shared = connections["default"]
        shared.inc_thread_sharing()

        def use_shared_connection():
            connections["default"] = shared

        monkeypatch.setattr("channels.db.close_old_connections", use_shared_connection)
        try:
            outcome = _websocket(case.probe, world, user)
        finally:
            shared.dec_thread_sharing()
        assert outcome in expect.statuses, f"{case.id}: expected {expect.label}, got {outcome}"
        return
    before = fingerprint() if case.probe.method == "POST" else None
    response = _request(client, case.url, case.probe, world)

    # then
    location = _location(response)
    got = f"{response.status_code} {location}".strip()
    assert response.status_code in expect.statuses, f"{case.id}: expected {expect.label}, got {got}"
    if expect.location is not None:
        if expect.location.startswith("="):
            assert location == expect.location[1:], f"{case.id}: expected {expect.label}, got {got}"
        else:
            assert location.startswith(expect.location), f"{case.id}: expected {expect.label}, got {got}"
    elif response.status_code == 302 and not expect.refused:
        refusals = (settings.LOGIN_URL, "/accounts/login/", "/admin/login/", "/django-admin/login/")
        assert not location.startswith(refusals) and location != "/admin/", f"{case.id}: refused, {got}"
    if before is not None:
        if expect.refused:
            assert fingerprint() == before, f"{case.id}: refused ({got}) but the database changed"
        elif expect.performs:
            assert fingerprint() != before, f"{case.id}: allowed ({got}) but nothing was written"


def test_every_rule_names_a_url_that_exists():
    """A rule left behind by a removed URL is a mistake too."""
    keys = {url.key for url in URLS}
    stale = sorted(set(RULES) - keys)
    assert not stale, f"Rules for URLs that no longer exist: {stale}"


def test_a_url_without_a_rule_is_reported_by_name():
    orphan = Url("petitions:new_thing", "petitions/new-thing/", "petitions:new_thing", True)
    assert rule_for(orphan) is None
    third_party = Url("wagtailadmin_pages:add", "admin/pages/add/", "wagtailadmin_pages:add", False)
    assert rule_for(third_party)[0] == "prefix"
    project_under_admin = Url("consultations_admin:new", "admin/consultations/new/", "consultations_admin:new", True)
    assert rule_for(project_under_admin) is None


def test_sample_paths_resolve_to_their_own_url():
    """Prefix-covered URLs are probed with made-up parameters: they must still reach the URL's view."""
    wrong = []
    for url in URLS:
        found = rule_for(url)
        if found is None or found[0] == "rule" or url.key.startswith(("page:", "ws:")):
            continue
        try:
            match = resolve(sample_path(url))
        except Resolver404:
            wrong.append((url.key, sample_path(url), "404"))
            continue
        if match.route.replace("^", "") != url.route.replace("^", "") and (match.view_name or match.route) != url.key:
            wrong.append((url.key, sample_path(url), match.route))
    assert not wrong, wrong
