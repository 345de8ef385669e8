"""Writes for legislative consultation: versions, comments, moderation, themes and the report."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, has_role
from consultations import personal_data, tallies
from consultations.clustering import schedule_clustering
from consultations.consumers import publish_counts_on_commit
from consultations.exports import build_open_data, write_comment_export
from consultations.matching import match_provisions
from consultations.memberships import delete_themes, move_members
from consultations.models import (
    COMMENTABLE_KINDS,
    DECIDED,
    MODERATABLE_STATUSES,
    PENDING_EXPORT,
    Comment,
    CommentExport,
    CommentStatus,
    CommentTally,
    Decision,
    DraftPage,
    DraftStatus,
    DraftVersion,
    ExportFormat,
    ModerationMode,
    Provision,
    ReportPublication,
    SensitiveWord,
    Stance,
    Theme,
    ThemeMembership,
    ThemeOrigin,
)
from consultations.parsing import Node, ParsedDraft, parse_draft
from core import ratelimit
from core.cache import read_through
from core.events import publish_event_on_commit, region_groups
from core.tasks import enqueue_on_commit
from regions.models import Region
from search.indexing import record_change, record_changes
from search.similarity import normalise

COMMENT_MIN_LENGTH = 5
COMMENT_MAX_LENGTH = 5000
QUOTE_MAX_LENGTH = 1000


class CommentRejected(ValidationError):
    """A comment that breaks a rule; `message_dict` names the field at fault."""


# --- permissions -------------------------------------------------------------------------


def can_manage_draft(user, draft: DraftPage) -> bool:
    """Legislators (and administrators) whose jurisdiction contains the draft's."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return has_role(user, Role.LEGISLATOR, Role.ADMINISTRATOR) and user.can_see_region(draft.jurisdiction_id)


def require_manager(user, draft: DraftPage) -> None:
    if not can_manage_draft(user, draft):
        raise PermissionDenied(_("Only legislators responsible for this draft may do this."))


# --- versions ----------------------------------------------------------------------------


def _store_nodes(version: DraftVersion, nodes: list[Node]) -> list[Provision]:
    stored: list[Provision] = []

    def visit(items: list[Node], parent: Provision | None) -> None:
        for node in items:
            provision = Provision.objects.create(
                version=version,
                parent=parent,
                kind=node.kind,
                number=node.number,
                sub_number=node.sub_number,
                label=node.label,
                heading=node.heading[:200],
                text=node.text,
                position=len(stored),
            )
            stored.append(provision)
            visit(node.children, provision)

    visit(nodes, None)
    return stored


def link_to_previous_version(version: DraftVersion) -> int:
    """Set each article's `predecessor` in the previous version by content. Returns the number matched."""
    previous = version.previous
    if previous is None:
        return 0
    old = list(previous.provisions.filter(kind__in=COMMENTABLE_KINDS))
    new = list(version.provisions.filter(kind__in=COMMENTABLE_KINDS))
    matched = 0
    for match in match_provisions([p.text for p in old], [p.text for p in new]):
        if match.old is None or match.new is None:
            continue
        provision = new[match.new]
        provision.predecessor = old[match.old]
        provision.match_similarity = match.similarity
        provision.save(update_fields=["predecessor", "match_similarity"])
        matched += 1
    return matched


@transaction.atomic
def import_version(
    *, draft: DraftPage, label: str, text: str, user=None, parsed: ParsedDraft | None = None
) -> DraftVersion:
    """Parse `text` and store it as the draft's next version. All or nothing.

    Raises DraftParseError (a ValueError naming the line at fault) on text that has no structure.
    """
    parsed = parsed or parse_draft(text)
    number = (draft.versions.aggregate(Max("number"))["number__max"] or 0) + 1
    version = DraftVersion.objects.create(
        draft=draft,
        number=number,
        label=label.strip() or f"第{number}稿",
        title=parsed.title[:200],
        preamble="\n".join(parsed.preamble),
        source_text=text,
        structure=parsed.summary(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    _store_nodes(version, parsed.nodes)
    link_to_previous_version(version)
    record_change("draft", draft.pk)  # the previous version's articles leave the search index
    return version


# --- comments ----------------------------------------------------------------------------


def comment_hash(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RateLimit:
    count: int
    seconds: int


def comment_rate_limit() -> RateLimit:
    count, seconds = getattr(settings, "CONSULTATION_COMMENT_RATE", (10, 600))
    return RateLimit(count=count, seconds=seconds)


def _take_rate_token(user_id: int) -> bool:
    limit = comment_rate_limit()
    window = int(timezone.now().timestamp()) // limit.seconds
    return ratelimit.hit(f"consultations:comment-rate:{user_id}:{window}", limit.count, limit.seconds)


def submit_comment(
    *,
    draft: DraftPage,
    author,
    text: str,
    stance: str,
    provision: Provision | None = None,
    quote: str = "",
    region: Region | None = None,
    sector: str = "",
) -> Comment:
    """Accept a comment from a signed-in member of the public, or raise CommentRejected.

    The comment is committed before anything else happens; notifications follow the commit.
    """
    if not getattr(author, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to comment."))
    text = (text or "").strip()
    quote = (quote or "").strip()
    errors: dict[str, list[str]] = {}
    if draft.status != DraftStatus.OPEN:
        errors["__all__"] = [_("This draft is not open for comment.")]
    if len(normalise(text)) < COMMENT_MIN_LENGTH:
        errors["text"] = [_("Please write at least %(n)d characters.") % {"n": COMMENT_MIN_LENGTH}]
    elif len(text) > COMMENT_MAX_LENGTH:
        errors["text"] = [_("A comment may have at most %(n)d characters.") % {"n": COMMENT_MAX_LENGTH}]
    if len(quote) > QUOTE_MAX_LENGTH:
        errors["quote"] = [_("A quoted passage may have at most %(n)d characters.") % {"n": QUOTE_MAX_LENGTH}]
    if stance not in {Stance.SUPPORT, Stance.OPPOSE, Stance.AMEND}:
        errors["stance"] = [_("Choose support, oppose or suggest a change.")]
    if provision is not None:
        version = draft.current_version
        if version is None or provision.version_id != version.pk or not provision.is_commentable:
            errors["provision"] = [_("Comment on an article of the current version.")]
        elif quote and normalise(quote) not in normalise(provision.text):
            errors["quote"] = [_("The quoted passage is not in this article.")]
    if errors:
        raise CommentRejected(errors)
    digest = comment_hash(text)
    if Comment.objects.filter(draft=draft, author=author, text_hash=digest).exists():
        raise CommentRejected({"text": [_("You have already submitted this comment.")]})
    if not _take_rate_token(author.pk):
        raise CommentRejected({"__all__": [_("You are commenting too quickly. Please wait a few minutes.")]})
    hold_reason = held_because(text)
    public_text = personal_data.mask(text)
    held = draft.moderation == ModerationMode.PRE or bool(hold_reason)
    status = CommentStatus.PENDING if held else CommentStatus.PUBLISHED
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                draft=draft,
                provision=provision,
                author=author,
                text=public_text,
                submitted_text=text if public_text != text else "",
                hold_reason=hold_reason,
                text_hash=digest,
                quote=quote,
                stance=stance,
                region=region,
                sector=sector,
                status=status,
            )
            _announce(comment, "comment.submitted")
            if status == CommentStatus.PUBLISHED:  # post-moderation: public at once, so grouped like an approval
                schedule_clustering(draft=draft)
    except IntegrityError as error:  # two identical submissions racing
        raise CommentRejected({"text": [_("You have already submitted this comment.")]}) from error
    return comment


SENSITIVE_WORDS_KEY = "consultations:sensitive-words"


def sensitive_words() -> list[tuple[str, str]]:
    """The sensitive-word list as (word, normalised and case-folded), from the cache: read on every submission,
    changed by administrators now and then (emptied when a change commits: consultations.apps)."""

    def read() -> list[tuple[str, str]]:
        words = SensitiveWord.objects.values_list("word", flat=True)
        return [(word, normalise(word).casefold()) for word in words if normalise(word)]

    return read_through(SENSITIVE_WORDS_KEY, read, 3600)


def held_because(text: str) -> str:
    """Why a comment must wait for a moderator whatever the draft's mode ("" if it need not).

    Personal data (consultations.personal_data) and words of the administrators' sensitive-word list.
    """
    reasons: list[str] = []
    labels = {
        personal_data.ID_NUMBER: _("resident ID number"),
        personal_data.PHONE: _("phone number"),
        personal_data.EMAIL: _("e-mail address"),
    }
    found = personal_data.kinds(text)
    if found:
        names = "、".join(str(labels[kind]) for kind in sorted(found))
        reasons.append(_("personal data: %(kinds)s") % {"kinds": names})
    plain = normalise(text).casefold()
    words = [word for word, folded in sensitive_words() if folded in plain]
    if words:
        reasons.append(_("sensitive words: %(words)s") % {"words": "、".join(words[:5])})
    return "；".join(reasons)[:200]


def _announce(comment: Comment, event: str) -> None:
    """After commit: tell the draft's legislators, and update public counts if visibility changed."""
    draft = comment.draft
    payload = {
        "draft": draft.pk,
        "comment": comment.pk,
        "provision": comment.provision_id,
        "status": comment.status,
        "summary": f"{draft.title} · {comment.provision.label if comment.provision else _('whole draft')}",
    }
    publish_event_on_commit(region_groups(draft.jurisdiction_id), event, payload)
    publish_counts_on_commit(draft=draft)  # computed once, after commit, for every reader of the draft


# --- moderation --------------------------------------------------------------------------


@transaction.atomic
def approve_comment(*, comment: Comment, moderator) -> Comment:
    require_manager(moderator, comment.draft)
    if comment.status not in MODERATABLE_STATUSES:
        raise ValidationError(_("This comment has already been moderated."))
    comment.status = CommentStatus.APPROVED
    comment.rejection_reason = ""
    comment.moderated_by = moderator
    comment.moderated_at = timezone.now()
    comment.save(update_fields=["status", "rejection_reason", "moderated_by", "moderated_at"])
    _announce(comment, "comment.approved")
    schedule_clustering(draft=comment.draft)  # after commit, one pending run per draft
    return comment


@transaction.atomic
def reject_comment(*, comment: Comment, moderator, reason: str) -> Comment:
    """Hide a comment from the public. It is kept, with the reason, never deleted."""
    require_manager(moderator, comment.draft)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for rejecting the comment.")]})
    if comment.status == CommentStatus.REJECTED:
        raise ValidationError(_("This comment has already been rejected."))
    comment.status = CommentStatus.REJECTED
    comment.rejection_reason = reason
    comment.moderated_by = moderator
    comment.moderated_at = timezone.now()
    comment.save(update_fields=["status", "rejection_reason", "moderated_by", "moderated_at"])
    _announce(comment, "comment.rejected")
    return comment


APPROVE = "approve"
REJECT = "reject"


@dataclass(frozen=True)
class BulkModeration:
    changed: int
    skipped: int


@transaction.atomic
def moderate_comments(
    *, comments: Iterable[Comment], moderator, action: str, reason: str = "", reasons: dict[int, str] | None = None
) -> BulkModeration:
    """Approve or reject many comments in one transaction (a page's selection, or a whole campaign).

    The reason is recorded on each comment: `reasons[comment.pk]` where given, else `reason`. Rejecting needs
    one. Comments already in the target state are skipped. One bulk write, one search-outbox record, and the
    live counts and clustering scheduled once per draft after commit.
    """
    if action not in (APPROVE, REJECT):
        raise ValidationError(_("Choose to approve or reject."))
    reasons = reasons or {}
    reason = (reason or "").strip()
    chosen = list(comments)
    drafts = {comment.draft_id: comment.draft for comment in chosen}
    for draft in drafts.values():
        require_manager(moderator, draft)
    now = timezone.now()
    changed: list[Comment] = []
    for comment in chosen:
        if action == APPROVE and comment.status not in MODERATABLE_STATUSES:
            continue
        if action == REJECT and comment.status == CommentStatus.REJECTED:
            continue
        own = (reasons.get(comment.pk) or reason).strip()
        if action == REJECT and not own:
            raise ValidationError({"reason": [_("Give the reason for rejecting the comment.")]})
        comment.status = CommentStatus.APPROVED if action == APPROVE else CommentStatus.REJECTED
        comment.rejection_reason = own
        comment.moderated_by = moderator
        comment.moderated_at = now
        changed.append(comment)
    Comment.objects.bulk_update(changed, ["status", "rejection_reason", "moderated_by", "moderated_at"], batch_size=500)
    record_changes("comment", [comment.pk for comment in changed])
    for draft_id in {comment.draft_id for comment in changed}:
        draft = drafts[draft_id]
        publish_counts_on_commit(draft=draft)
        publish_event_on_commit(
            region_groups(draft.jurisdiction_id),
            "comment.moderated",
            {"draft": draft.pk, "action": action, "count": sum(c.draft_id == draft_id for c in changed)},
        )
        if action == APPROVE:
            schedule_clustering(draft=draft)
    return BulkModeration(changed=len(changed), skipped=len(chosen) - len(changed))


# --- themes and the report ---------------------------------------------------------------


@transaction.atomic
def create_theme(
    *,
    draft: DraftPage,
    title: str,
    comments: Iterable[Comment],
    user,
    provision: Provision | None = None,
    summary: str = "",
    origin: str = ThemeOrigin.MANUAL,
    cluster_key: str = "",
) -> Theme:
    if origin == ThemeOrigin.MANUAL:
        require_manager(user, draft)
    title = title.strip()
    if not title:
        raise ValidationError({"title": [_("A theme needs a title.")]})
    position = (draft.themes.aggregate(Max("position"))["position__max"] or 0) + 1
    theme = Theme.objects.create(
        draft=draft,
        title=title,
        summary=summary,
        provision=provision,
        origin=origin,
        cluster_key=cluster_key,
        position=position,
    )
    add_to_theme(theme=theme, comments=comments)
    return theme


def add_to_theme(*, theme: Theme, comments: Iterable[Comment], similarity: float | None = None) -> int:
    added = 0
    for comment in comments:
        if comment.draft_id != theme.draft_id:
            raise ValidationError(_("A theme can only group comments on its own draft."))
        _membership, created = ThemeMembership.objects.get_or_create(
            theme=theme, comment=comment, defaults={"similarity": similarity}
        )
        added += created
    return added


@transaction.atomic
def decide_theme(*, theme: Theme, decision: str, reason: str, user, adopted_in: Provision | None = None) -> Theme:
    """Record the legislators' answer to a theme (采纳 / 部分采纳 / 未采纳)."""
    draft = theme.draft
    require_manager(user, draft)
    errors: dict[str, list[str]] = {}
    if draft.status == DraftStatus.UPCOMING or draft.status == DraftStatus.OPEN:
        errors["__all__"] = [_("Decisions are recorded after the comment window closes.")]
    if decision not in DECIDED:
        errors["decision"] = [_("Choose adopted, partly adopted or not adopted.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason for the decision.")]
    if adopted_in is not None:
        if decision == Decision.NOT_ADOPTED:
            errors["adopted_in"] = [_("A theme that is not adopted has no article that takes it up.")]
        elif adopted_in.version.draft_id != draft.pk or not adopted_in.is_commentable:
            errors["adopted_in"] = [_("Choose an article of this draft.")]
    if errors:
        raise ValidationError(errors)
    theme.decision = decision
    theme.reason = reason.strip()
    theme.adopted_in = adopted_in
    theme.decided_by = user
    theme.decided_at = timezone.now()
    theme.save(update_fields=["decision", "reason", "adopted_in", "decided_by", "decided_at"])
    return theme


@transaction.atomic
def publish_report(*, draft: DraftPage, user) -> DraftPage:
    """Publish how the comments were handled (立法法 art. 40). Every theme must have a decision."""
    require_manager(user, draft)
    if draft.status not in (DraftStatus.CLOSED, DraftStatus.REPORT_PUBLISHED):
        raise ValidationError(_("The report is published after the comment window closes."))
    undecided = draft.themes.exclude(decision__in=DECIDED).count()
    if undecided:
        raise ValidationError(_("%(n)d theme(s) still have no decision.") % {"n": undecided})
    ReportPublication.objects.get_or_create(draft=draft, defaults={"published_by": user})
    enqueue_on_commit(build_open_data, draft.pk)  # the published comments as open-data files
    return draft


# --- exports --------------------------------------------------------------------------------


@transaction.atomic
def request_comment_export(*, draft: DraftPage, user, fmt: str) -> CommentExport:
    """Ask for a file of every comment of the draft, written by a task. While one of the same format is waiting
    or being written for the draft, that one is returned instead of starting another."""
    require_manager(user, draft)
    if fmt not in ExportFormat.values:
        raise ValidationError({"fmt": _("Choose Excel or CSV.")})
    pending = draft.comment_exports.filter(fmt=fmt, status__in=PENDING_EXPORT)
    if found := pending.first():
        return found
    try:
        with transaction.atomic():  # two requests at once: the constraint lets one in, the other finds it
            export = CommentExport.objects.create(
                draft=draft, requested_by=user, fmt=fmt, rows_total=tallies.total(CommentTally, draft.pk)
            )
    except IntegrityError:
        return pending.get()
    enqueue_on_commit(write_comment_export, export.pk)
    return export


# --- reviewing themes: rename, merge, split, remove a member -----------------------------
#
# Each write is recorded in Wagtail's audit log (who, when, what) since a theme has no
# fields of its own for it. Decisions stay sane: the theme merged into keeps its decision,
# and a theme split off starts pending, to be answered on its own.

THEME_RENAMED = "consultations.theme.rename"
THEME_MERGED = "consultations.theme.merge"
THEME_SPLIT = "consultations.theme.split"
THEME_MEMBER_REMOVED = "consultations.theme.remove_member"


def _log_theme(theme: Theme, action: str, user, data: dict) -> None:
    from wagtail.log_actions import log

    log(instance=theme, action=action, user=user if getattr(user, "is_authenticated", False) else None, data=data)


@transaction.atomic
def rename_theme(*, theme: Theme, title: str, user, summary: str | None = None) -> Theme:
    """Give a theme a title people can answer (and, optionally, a new summary)."""
    require_manager(user, theme.draft)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": [_("A theme needs a title.")]})
    limit = Theme._meta.get_field("title").max_length
    if limit is not None and len(title) > limit:
        raise ValidationError({"title": [_("The title is too long.")]})
    before = theme.title
    theme.title = title
    fields = ["title"]
    if summary is not None:
        theme.summary = summary.strip()
        fields.append("summary")
    theme.save(update_fields=fields)
    _log_theme(theme, THEME_RENAMED, user, {"from": before, "to": title})
    return theme


@transaction.atomic
def merge_themes(*, source: Theme, target: Theme, user) -> Theme:
    """Move every comment of `source` into `target` and delete `source`.

    `target` keeps its own decision, title and cluster key; a comment already in both
    stays once, with the closer of its two similarities.
    """
    require_manager(user, target.draft)
    if source.pk == target.pk:
        raise ValidationError({"target": [_("Choose another theme to merge into.")]})
    if source.draft_id != target.draft_id:
        raise ValidationError({"target": [_("Themes of different drafts cannot be merged.")]})
    members, added = move_members(source, target)
    data = {
        "merged": source.pk,
        "merged_title": source.title,
        "comments_moved": len(added),
        # enough to undo the merge: the deleted theme as it was, and which memberships the merge created
        "theme": _theme_snapshot(source),
        "members": [[comment, similarity] for comment, similarity in members],
        "added": added,
    }
    delete_themes(Theme.objects.filter(pk=source.pk))
    record_changes("comment", [comment for comment, _similarity in members])  # they left source, some joined target
    _log_theme(target, THEME_MERGED, user, data)
    return target


@transaction.atomic
def split_theme(*, theme: Theme, comments: Iterable[Comment], title: str, user, summary: str = "") -> Theme:
    """Move some of a theme's comments into a new theme, which starts pending."""
    require_manager(user, theme.draft)
    chosen = {comment.pk for comment in comments}
    members = set(theme.memberships.values_list("comment_id", flat=True))
    if not chosen:
        raise ValidationError({"comments": [_("Select the comments that form the new theme.")]})
    if not chosen <= members:
        raise ValidationError({"comments": [_("Only comments of this theme can be split off.")]})
    if chosen == members:
        raise ValidationError({"comments": [_("Leave at least one comment in the theme; to retitle it, rename it.")]})
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": [_("A theme needs a title.")]})
    position = (theme.draft.themes.aggregate(Max("position"))["position__max"] or 0) + 1
    new = Theme.objects.create(
        draft=theme.draft,
        provision=theme.provision,
        title=title,
        summary=summary.strip(),
        origin=ThemeOrigin.MANUAL,
        position=position,
    )
    theme.memberships.filter(comment_id__in=chosen).update(theme=new, similarity=None)
    record_changes("comment", chosen)  # an update sends no signals: the comments' themes changed
    _log_theme(theme, THEME_SPLIT, user, {"new_theme": new.pk, "new_title": new.title, "comments": sorted(chosen)})
    _log_theme(new, "wagtail.create", user, {"split_from": theme.pk})
    return new


@transaction.atomic
def remove_from_theme(*, theme: Theme, comment: Comment, user) -> Theme:
    """Take one comment out of a theme; the comment itself is kept."""
    require_manager(user, theme.draft)
    membership = theme.memberships.filter(comment=comment).first()
    if membership is None:
        raise ValidationError({"comment": [_("This comment is not in the theme.")]})
    similarity = membership.similarity
    membership.delete()
    _log_theme(theme, THEME_MEMBER_REMOVED, user, {"comment": comment.pk, "similarity": similarity})
    return theme


# --- undoing a merge, a split or a removal from the theme's log ---------------------------

THEME_UNDONE = "consultations.theme.undo"
UNDOABLE = frozenset({THEME_MERGED, THEME_SPLIT, THEME_MEMBER_REMOVED})
_SNAPSHOT_FIELDS = (
    "title",
    "summary",
    "origin",
    "cluster_key",
    "terms",
    "auto_title",
    "representatives",
    "decision",
    "reason",
    "position",
    "provision_id",
    "adopted_in_id",
    "decided_by_id",
)


def _theme_snapshot(theme: Theme) -> dict:
    snapshot = {name: getattr(theme, name) for name in _SNAPSHOT_FIELDS}
    snapshot["decided_at"] = theme.decided_at.isoformat() if theme.decided_at else None
    return snapshot


def undone_entries(theme: Theme) -> set[int]:
    """The ids of the theme's log entries already undone."""
    from wagtail.models import ModelLogEntry

    return {
        entry.data["undoes"]
        for entry in ModelLogEntry.objects.for_instance(theme).filter(action=THEME_UNDONE)
        if isinstance(entry.data, dict) and entry.data.get("undoes") is not None
    }


@transaction.atomic
def undo_theme_change(*, theme: Theme, entry_id: int, user) -> Theme:
    """Reverse a merge, split or removal recorded in the theme's log; returns the theme to show next.

    A merge brings the deleted theme back (title, decision, members) and takes out of this
    theme the comments the merge brought in; a split moves the comments back and deletes the
    new theme; a removal puts the comment back.
    """
    from django.utils.dateparse import parse_datetime
    from wagtail.models import ModelLogEntry

    require_manager(user, theme.draft)
    entry = ModelLogEntry.objects.for_instance(theme).filter(pk=entry_id, action__in=UNDOABLE).first()
    if entry is None:
        raise ValidationError(_("This change cannot be undone."))
    if entry.pk in undone_entries(theme):
        raise ValidationError(_("This change was already undone."))
    data: Any = entry.data or {}  # the log entry's JSON, as recorded
    shown = theme
    if entry.action == THEME_MEMBER_REMOVED:
        comment = Comment.objects.filter(pk=data.get("comment"), draft_id=theme.draft_id).first()
        if comment is None:
            raise ValidationError(_("The comment no longer exists."))
        ThemeMembership.objects.get_or_create(
            theme=theme, comment=comment, defaults={"similarity": data.get("similarity")}
        )
    elif entry.action == THEME_MERGED:
        snapshot = data.get("theme")
        if not snapshot:
            raise ValidationError(_("This merge was recorded without what it would take to undo it."))
        fields = {name: snapshot.get(name) for name in _SNAPSHOT_FIELDS if name in snapshot}
        from django.contrib.auth import get_user_model

        referenced: tuple[tuple[str, type[Model]], ...] = (
            ("provision_id", Provision),
            ("adopted_in_id", Provision),
            ("decided_by_id", get_user_model()),
        )
        for name, model in referenced:
            if fields.get(name) and not model._default_manager.filter(pk=fields[name]).exists():
                fields[name] = None  # deleted since the merge
        decided_at = snapshot.get("decided_at")
        fields["decided_at"] = parse_datetime(decided_at) if decided_at else None
        keep_pk = data.get("merged") and not Theme.objects.filter(pk=data["merged"]).exists()
        restored = Theme.objects.create(draft=theme.draft, **({"pk": data["merged"]} if keep_pk else {}), **fields)
        members = {int(cid): sim for cid, sim in data.get("members", [])}
        alive = set(Comment.objects.filter(pk__in=members, draft_id=theme.draft_id).values_list("pk", flat=True))
        ThemeMembership.objects.bulk_create(
            [ThemeMembership(theme=restored, comment_id=cid, similarity=members[cid]) for cid in sorted(alive)]
        )
        added = [int(cid) for cid in data.get("added", [])]
        theme.memberships.filter(comment_id__in=added).delete()
        record_changes("comment", alive | set(added))
        _log_theme(restored, "wagtail.create", user, {"restored_from": theme.pk})
        shown = restored
    else:  # THEME_SPLIT
        new = Theme.objects.filter(pk=data.get("new_theme"), draft_id=theme.draft_id).first()
        if new is None:
            raise ValidationError(_("The theme split off no longer exists."))
        ids = [int(cid) for cid in data.get("comments", [])]
        already = set(theme.memberships.values_list("comment_id", flat=True))
        moving = new.memberships.filter(comment_id__in=ids).exclude(comment_id__in=already)
        moved = set(moving.values_list("comment_id", flat=True))
        moving.update(theme=theme)
        if not new.memberships.exists():
            new.delete()
        record_changes("comment", moved)
    _log_theme(theme, THEME_UNDONE, user, {"undoes": entry.pk, "action": entry.action})
    return shown
