"""Demo consultations for `manage.py load_demo`, from the real texts and comments in demo_data/.

Idempotent: each draft is looked up by its slug and left alone if it exists.

Every draft carries comments about its own subject, dated inside its window, or none:
- two national drafts opened today (no comments yet), and one that opens next week;
- the Shanghai business-environment regulation in two rounds of consultation, carrying the 197 real comments of
  vTaiwan's UberX discussion (see demo_data/README.md), which bear on its articles on new forms of business and
  fair competition. They are split by time: the first round (closed, its handling report published) takes those
  made before VTAIWAN_SPLIT, the second (open now) the rest. Each round's real timestamps are mapped linearly
  into its window, keeping their order and spacing. Their positions are Sunshine's own labels
  (vtaiwan_uberx_stances.csv). The open round is clustered as the review screen's button does, so its themes
  show at once.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from consultations.attribution import VTAIWAN_UBERX
from consultations.clustering import cluster_draft
from consultations.exports import write_open_data
from consultations.models import (
    Comment,
    CommentStatus,
    ConsultationIndexPage,
    Decision,
    DraftPage,
    ModerationMode,
    Provision,
    ReportPublication,
    Stance,
    ThemeMembership,
    ThemeOrigin,
)
from consultations.services import comment_hash, import_version
from home.models import HomePage

DATA = Path(__file__).resolve().parent / "demo_data"
VTAIWAN_SOURCE = VTAIWAN_UBERX
# Comments made before this moment go to the first round, the rest to the second. Late July, not August: from
# August on there are 42 published comments, too few to show clustering at work; from here, 64 (and 55 before).
VTAIWAN_SPLIT = datetime(2015, 7, 23, tzinfo=UTC)


@dataclass(frozen=True)
class DemoTheme:
    title: str
    keywords: tuple[str, ...]
    decision: str
    reason: str
    article: int | None  # article number of the regulation that takes it up


SHANGHAI_THEMES = [
    DemoTheme(
        "新业态与出租汽车行业的公平竞争",
        ("計程車", "小黃", "運將", "車行", "排班", "競爭", "公平", "既得利益", "運輸業"),
        Decision.PARTLY_ADOPTED,
        "公平竞争审查和执法协调机制适用于各类市场主体，新旧业态同等对待；具体的出租汽车运价与数量管控由专门法规规定。",
        14,
    ),
    DemoTheme(
        "乘客安全、保险与责任",
        ("保險", "險", "安全", "保障", "理賠", "事故", "責任", "健檢"),
        Decision.ADOPTED,
        "对新业态实行包容审慎监管的同时，明确安全底线要求，平台和经营者应当依法承担保险与赔偿责任。",
        60,
    ),
    DemoTheme(
        "税收、经营许可与执法",
        ("稅", "登記", "牌照", "執照", "駕照", "許可", "依法", "違法", "不法", "取締", "停業"),
        Decision.NOT_ADOPTED,
        "税收征管、经营许可和对未经许可经营的查处属于法律、行政法规规定的事项，本条例不作重复规定，已转有关部门研究。",
        None,
    ),
    DemoTheme(
        "新业态的监管方式",
        (
            "法規",
            "共享",
            "共乘",
            "平台",
            "媒合",
            "管理",
            "監管",
            "創新",
            "規範",
            "收費",
            "計費",
            "加成",
            "派遣",
            "標示",
            "就業",
            "新服務",
        ),
        Decision.PARTLY_ADOPTED,
        "采纳“包容审慎、分类监管”的意见，对新技术、新产业、新业态、新模式设置合理的观察期；不采纳一律禁止或一律放开的意见。",
        60,
    ),
]


NATIONAL_DRAFTING_BODY = "全国人大常委会法制工作委员会"

# slug, page fields (window in days from the start of today), versions (label, file in demo_data/).
# The two open drafts were published today, so that nobody has commented on them yet.
DRAFTS = [
    (
        "wuzhangai-huanjing-jianshe-fa",
        {
            "title": "中华人民共和国无障碍环境建设法（草案）",
            "drafting_body": NATIONAL_DRAFTING_BODY,
            "summary": "为了加强无障碍环境建设，保障残疾人、老年人平等、充分、便捷地参与和融入社会生活。",
            "explanatory_note": "<p>草案共八章七十二条，包括无障碍设施建设、无障碍信息交流、无障碍社会服务、保障措施、监督管理和法律责任。</p>",
            "window": (0, 30),
            "jurisdiction_id": "000000",
            "moderation": ModerationMode.POST,
        },
        [("征求意见稿", "wuzhangai_huanjing_jianshe_fa_2023.md")],
    ),
    (
        "xingzheng-fuyi-fa",
        {
            "title": "中华人民共和国行政复议法（修订草案）",
            "drafting_body": NATIONAL_DRAFTING_BODY,
            "summary": "修订草案二审稿。可以对照一审稿查看逐条修改情况。",
            "explanatory_note": "<p>修订草案将条文由四十三条增加到九十条，增设“行政复议申请”“行政复议受理”“行政复议审理”等章节。</p>",
            "window": (0, 30),
            "jurisdiction_id": "000000",
            "moderation": ModerationMode.PRE,
        },
        [("一审稿", "xingzheng_fuyi_fa_2017.md"), ("二审稿", "xingzheng_fuyi_fa_2023.md")],
    ),
    (
        "xingfa-xiuzhengan-12",
        {
            "title": "中华人民共和国刑法修正案（十二）（草案）",
            "drafting_body": NATIONAL_DRAFTING_BODY,
            "summary": "加大对行贿犯罪的惩治力度，增加民营企业内部人员腐败相关犯罪的规定。",
            "window": (7, 37),
            "jurisdiction_id": "000000",
            "moderation": ModerationMode.POST,
        },
        [("征求意见稿", "xingfa_xiuzhengan_12_2023.md")],
    ),
]

SHANGHAI_TEXT = "shanghai_youhua_yingshang_huanjing_tiaoli_2024.md"
SHANGHAI_BODY = "上海市人大常委会法制工作委员会"


@dataclass(frozen=True)
class Round:
    slug: str
    title: str
    version_label: str
    summary: str
    window: tuple[int, int]  # days from now


FIRST_ROUND = Round(
    "shanghai-youhua-yingshang-huanjing-tiaoli",
    "上海市优化营商环境条例（修正草案·第一次征求意见）",
    "第一次征求意见稿",
    "第一次征求意见已结束，意见处理情况已公布。根据这次征求意见的情况修改后，修正草案正在第二次征求意见。",
    (-80, -50),
)
SECOND_ROUND = Round(
    "shanghai-youhua-yingshang-huanjing-tiaoli-2",
    "上海市优化营商环境条例（修正草案·第二次征求意见稿）",
    "第二次征求意见稿",
    "第一次征求意见后修改的修正草案，再次公开征求意见，重点听取对新业态包容审慎监管、公平竞争等条款的意见。",
    (-25, 20),
)
DECIDED_AFTER_CLOSE = timedelta(days=10)  # the first round's decisions, and then its report
REPORT_AFTER_CLOSE = timedelta(days=15)


def _read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def ensure_index(home: HomePage) -> ConsultationIndexPage:
    index = ConsultationIndexPage.objects.first()
    if index is None:
        index = ConsultationIndexPage(
            title="法规草案征求意见",
            slug="consultations",
            intro="<p>逐条阅读法规草案，发表您的意见；征求意见结束后，这里公布意见的处理情况。</p>",
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def _draft(index: ConsultationIndexPage, slug: str, **fields) -> tuple[DraftPage, bool]:
    existing = DraftPage.objects.filter(slug=slug).first()
    if existing is not None:
        return existing, False
    draft = DraftPage(slug=slug, **fields)
    index.add_child(instance=draft)
    draft.save_revision().publish()
    return draft, True


def _article(draft: DraftPage, number: int) -> Provision:
    return draft.current_version.provisions.get(kind="article", number=number, sub_number=0)


@transaction.atomic
def load_consultations(home: HomePage, legislator) -> list[tuple[DraftPage, bool]]:
    index = ensure_index(home)
    now = timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    results = []

    for slug, fields, versions in DRAFTS:
        opens, closes = fields["window"]
        page = {key: value for key, value in fields.items() if key != "window"}
        draft, created = _draft(
            index, slug, opens_at=today + timedelta(days=opens), closes_at=today + timedelta(days=closes), **page
        )
        if created:
            for label, name in versions:
                import_version(draft=draft, label=label, text=_read(name))
        results.append((draft, created))

    results += _load_shanghai(index, legislator, now)
    return results


# --- the Shanghai regulation and the vTaiwan comments ---------------------------------------------------------


@dataclass(frozen=True)
class VTaiwanComment:
    id: int
    author: str
    moderated: str  # Pol.is moderation: 1 accepted, -1 rejected, 0 not moderated
    text: str
    stamp: datetime
    stance: str


def read_vtaiwan() -> list[VTaiwanComment]:
    """The 197 comments in the order they were made, each with Sunshine's label of its position."""
    with (DATA / "vtaiwan_uberx_stances.csv").open(encoding="utf-8", newline="") as handle:
        stances = {int(row["comment-id"]): Stance(row["stance"]) for row in csv.DictReader(handle)}
    with (DATA / "vtaiwan_uberx_comments.csv").open(encoding="utf-8", newline="") as handle:
        comments = [
            VTaiwanComment(
                id=int(row["comment-id"]),
                author=row["author-id"],
                moderated=row["moderated"],
                text=row["comment-body"].strip(),
                stamp=datetime.fromtimestamp(int(row["timestamp"]) / 1000, tz=UTC),
                stance=stances[int(row["comment-id"])],
            )
            for row in csv.DictReader(handle)
        ]
    return sorted(comments, key=lambda comment: (comment.stamp, comment.id))


def rebase(stamps: Sequence[datetime], start: datetime, end: datetime) -> list[datetime]:
    """Map the moments linearly onto [start, end]: the first to start, the last to end, order and relative
    spacing kept."""
    first, last = min(stamps), max(stamps)
    span = (last - first).total_seconds()
    if span == 0:
        return [start for _ in stamps]
    scale = (end - start).total_seconds() / span
    return [start + timedelta(seconds=(stamp - first).total_seconds() * scale) for stamp in stamps]


def _theme_of(text: str) -> DemoTheme | None:
    return next((spec for spec in SHANGHAI_THEMES if any(keyword in text for keyword in spec.keywords)), None)


STATUSES = {"1": CommentStatus.APPROVED, "-1": CommentStatus.REJECTED, "0": CommentStatus.PUBLISHED}


def _add_comments(draft: DraftPage, rows: list[VTaiwanComment], dates: list[datetime], legislator, latest: datetime):
    """The comments, on the article their subject belongs to; moderated a few hours after they came in (and not
    after `latest`)."""
    articles = {spec.article: _article(draft, spec.article) for spec in SHANGHAI_THEMES if spec.article}
    comments = []
    for row, created in zip(rows, dates, strict=True):
        spec = _theme_of(row.text)
        status = STATUSES[row.moderated]
        moderated = status != CommentStatus.PUBLISHED
        comments.append(
            Comment(
                draft=draft,
                provision=articles.get(spec.article) if spec and spec.article else None,
                external_author=f"vtaiwan:{row.author}",
                source=VTAIWAN_SOURCE,
                text=row.text,
                text_hash=comment_hash(row.text),
                stance=row.stance,
                status=status,
                rejection_reason="原讨论平台审核未通过。" if status == CommentStatus.REJECTED else "",
                moderated_by=legislator if moderated else None,
                moderated_at=min(created + timedelta(hours=6), latest) if moderated else None,
                created_at=created,
            )
        )
    return Comment.objects.bulk_create(comments)


def _round(index: ConsultationIndexPage, spec: Round, now: datetime, **fields) -> tuple[DraftPage, bool]:
    opens, closes = spec.window
    draft, created = _draft(
        index,
        spec.slug,
        title=spec.title,
        drafting_body=SHANGHAI_BODY,
        summary=spec.summary,
        opens_at=now + timedelta(days=opens),
        closes_at=now + timedelta(days=closes),
        jurisdiction_id="310000",
        moderation=ModerationMode.POST,
        **fields,
    )
    if created:
        import_version(draft=draft, label=spec.version_label, text=_read(SHANGHAI_TEXT))
    return draft, created


def _load_shanghai(index: ConsultationIndexPage, legislator, now: datetime) -> list[tuple[DraftPage, bool]]:
    if DraftPage.objects.filter(slug=FIRST_ROUND.slug).exists():
        return [(draft, False) for draft in DraftPage.objects.filter(slug__in=[FIRST_ROUND.slug, SECOND_ROUND.slug])]
    rows = read_vtaiwan()
    first = [row for row in rows if row.stamp < VTAIWAN_SPLIT]
    second = [row for row in rows if row.stamp >= VTAIWAN_SPLIT]
    published = sum(1 for row in first if STATUSES[row.moderated] != CommentStatus.REJECTED)

    # the second round (first, so that the first round's report can link to it): open since 25 days, its comments
    # up to now, grouped into themes as the review screen's button does
    open_round, _ = _round(index, SECOND_ROUND, now)
    dates = rebase([row.stamp for row in second], open_round.opens_at + timedelta(hours=3), now - timedelta(hours=1))
    _add_comments(open_round, second, dates, legislator, now)
    cluster_draft(draft=open_round)

    # the first round: closed, its comments answered by theme, the handling report published
    closed, _ = _round(
        index,
        FIRST_ROUND,
        now,
        report_statement=(
            f"<p>第一次征求意见期间共收到社会公众意见{len(first)}条，经审核公布{published}条。"
            f"常委会法制工作委员会对意见逐条研究，归纳为{len(SHANGHAI_THEMES)}个方面，处理情况如下。"
            f'根据处理情况修改的修正草案已<a linktype="page" id="{open_round.pk}">再次公开征求意见</a>。</p>'
        ),
    )
    dates = rebase(
        [row.stamp for row in first], closed.opens_at + timedelta(hours=6), closed.closes_at - timedelta(hours=6)
    )
    comments = _add_comments(closed, first, dates, legislator, closed.closes_at)
    decided_at = closed.closes_at + DECIDED_AFTER_CLOSE
    themes = {
        spec.title: closed.themes.create(
            title=spec.title,
            origin=ThemeOrigin.MANUAL,
            position=position,
            decision=spec.decision,
            reason=spec.reason,
            adopted_in=_article(closed, spec.article)
            if spec.article and spec.decision != Decision.NOT_ADOPTED
            else None,
            decided_by=legislator,
            decided_at=decided_at,
        )
        for position, spec in enumerate(SHANGHAI_THEMES, start=1)
    }
    ThemeMembership.objects.bulk_create(
        ThemeMembership(theme=themes[spec.title], comment=comment)
        for comment in comments
        if comment.status != CommentStatus.REJECTED and (spec := _theme_of(comment.text))
    )
    ReportPublication.objects.create(
        draft=closed, published_by=legislator, published_at=closed.closes_at + REPORT_AFTER_CLOSE
    )
    write_open_data(closed)  # as publishing the report does (services.publish_report)

    return [(closed, True), (open_round, True)]
