"""The moderation queue's reads: its filter form (draft, article, stance, campaign, status, words) and queryset.

Every choice offered is bounded (the drafts a legislator manages; the chosen draft's articles; its largest
campaigns), and the queue itself is paged by the view.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from consultations import tallies
from consultations.models import (
    COMMENTABLE_KINDS,
    MODERATABLE_STATUSES,
    Campaign,
    Comment,
    CommentStatus,
    CommentTally,
    DraftPage,
    Provision,
    Stance,
)

WAITING = "waiting"
HELD = "held"
CAMPAIGN_CHOICES_LIMIT = 200


class ModerationFilterForm(forms.Form):
    draft = forms.TypedChoiceField(label=_("Draft"), required=False, coerce=int, empty_value=None)
    article = forms.TypedChoiceField(label=_("Article"), required=False, coerce=int, empty_value=None)
    stance = forms.ChoiceField(label=_("Stance"), required=False, choices=[("", _("All stances")), *Stance.choices])
    campaign = forms.TypedChoiceField(label=_("Campaign"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (WAITING, _("Waiting for moderation")),
            (HELD, _("Held: personal data or sensitive words")),
            *CommentStatus.choices,
        ],
    )
    q = forms.CharField(label=_("Words"), required=False, max_length=100)

    def __init__(self, data, *, drafts: list[DraftPage]):
        super().__init__(data)
        self.drafts = {draft.pk: draft for draft in drafts}
        self.fields["draft"].choices = [("", _("All my drafts")), *((d.pk, d.title) for d in drafts)]
        self.fields["article"].choices = [("", _("All articles"))]
        self.fields["campaign"].choices = [("", _("Any campaign or none"))]
        draft = self.chosen_draft()
        if draft is not None:
            version = draft.current_version
            if version is not None:
                articles = Provision.objects.filter(version=version, kind__in=COMMENTABLE_KINDS).order_by("position")
                self.fields["article"].choices += [(p.pk, p.label) for p in articles.only("pk", "label")]
            campaigns = Campaign.objects.filter(draft=draft).order_by("-size")[:CAMPAIGN_CHOICES_LIMIT]
            self.fields["campaign"].choices += [
                (c.pk, _("%(text)s (%(n)d comments)") % {"text": c.form_text[:30], "n": c.size}) for c in campaigns
            ]

    def chosen_draft(self) -> DraftPage | None:
        raw = self.data.get("draft") if self.data else None
        try:
            return self.drafts.get(int(raw))
        except (TypeError, ValueError):
            return None

    def filters(self) -> dict:
        """The cleaned filters, the invalid ones dropped (a stale article or campaign never empties the queue)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {key: cleaned.get(key) for key in ("draft", "article", "stance", "campaign", "status", "q")}


def moderation_queryset(
    *, drafts: list[DraftPage], draft=None, article=None, stance="", campaign=None, status="", q=""
):
    """The comments the queue shows, oldest first; waiting ones (pending or published, unreviewed) by default."""
    comments: QuerySet[Comment] = Comment.objects.filter(draft__in=[d.pk for d in drafts])
    if draft:
        comments = comments.filter(draft_id=draft)
    if article:
        comments = comments.filter(provision_id=article)
    if stance:
        comments = comments.filter(stance=stance)
    if campaign:
        comments = comments.filter(campaign_id=campaign)
    if status in ("", None, WAITING):
        comments = comments.filter(status__in=MODERATABLE_STATUSES)
    elif status == HELD:
        comments = comments.filter(status=CommentStatus.PENDING).exclude(hold_reason="")
    else:
        comments = comments.filter(status=status)
    for word in (q or "").split()[:5]:
        comments = comments.filter(Q(text__icontains=word) | Q(submitted_text__icontains=word))
    return comments.select_related("draft", "provision", "region", "campaign").order_by("created_at", "pk")


def waiting_count(draft: DraftPage) -> int:
    """Comments waiting for a moderator (tallied, not counted)."""
    return tallies.total(CommentTally, draft.pk, status__in=MODERATABLE_STATUSES)


WORDS_COUNT_LIMIT = 1000


def queue_count(
    *, drafts: list[DraftPage], draft=None, article=None, stance="", campaign=None, status="", q=""
) -> tuple[int, bool]:
    """How many comments the queue holds with these filters, and whether that is exact.

    Filters on draft, article, stance, campaign and status are answered from the tallies. Words (and the held
    ones, picked by the reason they wait) need the comments themselves: those are counted up to
    WORDS_COUNT_LIMIT, and past it the page says "more than"."""
    if q or status == HELD:
        queue = moderation_queryset(
            drafts=drafts, draft=draft, article=article, stance=stance, campaign=campaign, status=status, q=q
        )
        seen = queue.order_by().values("pk")[: WORDS_COUNT_LIMIT + 1].count()
        return min(seen, WORDS_COUNT_LIMIT), seen <= WORDS_COUNT_LIMIT
    filters: dict = {}
    if article:
        filters["provision_id"] = article
    if stance:
        filters["stance"] = stance
    if campaign:
        filters["campaign_id"] = campaign
    if status in ("", None, WAITING):
        filters["status__in"] = MODERATABLE_STATUSES
    else:
        filters["status"] = status
    ids = [d.pk for d in drafts if not draft or d.pk == draft]
    return sum(tallies.sums(CommentTally, ids, ["draft_id"], **filters).values()), True
