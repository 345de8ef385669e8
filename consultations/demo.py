"""Demo consultations for `manage.py load_demo`, from the real texts and comments in demo_data/.

Idempotent: each draft is looked up by its slug and left alone if it exists.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

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
VTAIWAN_SOURCE = "vTaiwan UberX (Pol.is), CC BY 4.0, The Computational Democracy Project — https://pol.is/3phdex2kjf"


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
        ("計程車", "小黃", "運將", "車行", "排班"),
        Decision.PARTLY_ADOPTED,
        "公平竞争审查和执法协调机制适用于各类市场主体，新旧业态同等对待；具体的出租汽车运价与数量管控由专门法规规定。",
        14,
    ),
    DemoTheme(
        "乘客安全、保险与责任",
        ("保險", "安全", "理賠", "事故", "責任"),
        Decision.ADOPTED,
        "对新业态实行包容审慎监管的同时，明确安全底线要求，平台和经营者应当依法承担保险与赔偿责任。",
        60,
    ),
    DemoTheme(
        "税收与经营登记",
        ("稅", "登記", "牌照", "執照"),
        Decision.NOT_ADOPTED,
        "税收征管和经营许可属于法律、行政法规规定的事项，本条例不作重复规定，已转有关部门研究。",
        None,
    ),
    DemoTheme(
        "新业态的监管方式",
        ("法規", "共享", "平台", "管理", "監管", "創新", "規範"),
        Decision.PARTLY_ADOPTED,
        "采纳“包容审慎、分类监管”的意见，对新技术、新产业、新业态、新模式设置合理的观察期；不采纳一律禁止或一律放开的意见。",
        60,
    ),
]


NATIONAL_DRAFTING_BODY = "全国人大常委会法制工作委员会"

# slug, page fields (window in days from now), versions (label, file in demo_data/)
DRAFTS = [
    (
        "wuzhangai-huanjing-jianshe-fa",
        {
            "title": "中华人民共和国无障碍环境建设法（草案）",
            "drafting_body": NATIONAL_DRAFTING_BODY,
            "summary": "为了加强无障碍环境建设，保障残疾人、老年人平等、充分、便捷地参与和融入社会生活。",
            "explanatory_note": "<p>草案共八章七十二条，包括无障碍设施建设、无障碍信息交流、无障碍社会服务、保障措施、监督管理和法律责任。</p>",
            "window": (-10, 20),
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
            "window": (-5, 25),
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
    results = []

    for slug, fields, versions in DRAFTS:
        opens, closes = fields["window"]
        page = {key: value for key, value in fields.items() if key != "window"}
        draft, created = _draft(
            index, slug, opens_at=now + timedelta(days=opens), closes_at=now + timedelta(days=closes), **page
        )
        if created:
            for label, name in versions:
                import_version(draft=draft, label=label, text=_read(name))
        results.append((draft, created))

    results.append(_load_shanghai(index, legislator))
    return results


def _load_shanghai(index: ConsultationIndexPage, legislator) -> tuple[DraftPage, bool]:
    with (DATA / "vtaiwan_uberx_comments.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    stamps = [datetime.fromtimestamp(int(row["timestamp"]) / 1000, tz=UTC) for row in rows]
    draft, created = _draft(
        index,
        "shanghai-youhua-yingshang-huanjing-tiaoli",
        title="上海市优化营商环境条例（修正草案）",
        drafting_body="上海市人大常委会法制工作委员会",
        summary="征求意见已结束，意见处理情况已公布。示范意见来自 vTaiwan 关于网约车（UberX）监管的公开讨论。",
        opens_at=min(stamps) - timedelta(days=1),
        closes_at=max(stamps) + timedelta(days=1),
        jurisdiction_id="310000",
        moderation=ModerationMode.POST,
        report_statement=(
            "<p>征求意见期间共收到社会公众意见197条，经审核公布119条。常委会法制工作委员会对意见逐条研究，"
            "归纳为四个方面，处理情况如下。</p>"
        ),
    )
    if not created:
        return draft, False
    import_version(draft=draft, label="征求意见稿", text=_read("shanghai_youhua_yingshang_huanjing_tiaoli_2024.md"))
    articles = {theme.article: _article(draft, theme.article) for theme in SHANGHAI_THEMES if theme.article}
    statuses = {"1": CommentStatus.APPROVED, "-1": CommentStatus.REJECTED, "0": CommentStatus.PUBLISHED}
    themes = {
        spec.title: draft.themes.create(
            title=spec.title,
            origin=ThemeOrigin.MANUAL,
            position=position,
            decision=spec.decision,
            reason=spec.reason,
            adopted_in=articles.get(spec.article) if spec.decision != Decision.NOT_ADOPTED else None,
            decided_by=legislator,
            decided_at=max(stamps) + timedelta(days=20),
        )
        for position, spec in enumerate(SHANGHAI_THEMES, start=1)
    }
    memberships = []
    for row, stamp in zip(rows, stamps, strict=True):
        text = row["comment-body"].strip()
        spec = next((s for s in SHANGHAI_THEMES if any(k in text for k in s.keywords)), None)
        status = statuses[row["moderated"]]
        comment = Comment.objects.create(
            draft=draft,
            provision=articles.get(spec.article) if spec and spec.article else None,
            external_author=f"vtaiwan:{row['author-id']}",
            source=VTAIWAN_SOURCE,
            text=text,
            text_hash=comment_hash(text),
            stance=Stance.UNSTATED,
            status=status,
            rejection_reason="原讨论平台审核未通过。" if status == CommentStatus.REJECTED else "",
            moderated_by=legislator if status != CommentStatus.PUBLISHED else None,
            moderated_at=stamp + timedelta(days=1) if status != CommentStatus.PUBLISHED else None,
            created_at=stamp,
        )
        if spec and status != CommentStatus.REJECTED:
            memberships.append(ThemeMembership(theme=themes[spec.title], comment=comment))
    ThemeMembership.objects.bulk_create(memberships)
    ReportPublication.objects.create(
        draft=draft, published_by=legislator, published_at=max(stamps) + timedelta(days=30)
    )
    write_open_data(draft)  # as publishing the report does (services.publish_report)
    return draft, True
