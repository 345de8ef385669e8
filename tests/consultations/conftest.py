from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from consultations.demo import ensure_index
from consultations.models import DraftPage, ModerationMode
from consultations.services import import_version
from home.services import ensure_home_page
from tests.factories import UserFactory

SAMPLE = """# 某市物业管理条例（草案）

<!-- INFO END -->

## 第一章 总则

第一条 为了规范物业管理活动，维护业主和物业服务人的合法权益，制定本条例。

第二条 本条例适用于本市行政区域内的物业管理活动。

## 第二章 业主

第三条 业主在物业管理活动中享有下列权利：

（一）按照物业服务合同的约定，接受物业服务人提供的服务；

（二）提议召开业主大会会议，并就物业管理的有关事项提出建议。

第四条 业主应当遵守管理规约。
"""


@pytest.fixture
def make_draft(regions):
    home = ensure_home_page()
    index = ensure_index(home)
    counter = {"n": 0}

    def make(
        *, state: str = "open", moderation: str = ModerationMode.POST, jurisdiction: str = "110000", text: str = SAMPLE
    ):
        counter["n"] += 1
        now = timezone.now()
        opens, closes = {
            "open": (now - timedelta(days=1), now + timedelta(days=29)),
            "upcoming": (now + timedelta(days=1), now + timedelta(days=31)),
            "closed": (now - timedelta(days=31), now - timedelta(days=1)),
        }[state]
        draft = DraftPage(
            title=f"物业管理条例（草案）{counter['n']}",
            slug=f"draft-{counter['n']}",
            drafting_body="市人大常委会法工委",
            opens_at=opens,
            closes_at=closes,
            jurisdiction_id=jurisdiction,
            moderation=moderation,
        )
        index.add_child(instance=draft)
        draft.save_revision().publish()
        import_version(draft=draft, label="一审稿", text=text)
        return DraftPage.objects.get(pk=draft.pk)

    return make


@pytest.fixture
def article_3(make_draft):
    draft = make_draft()
    return draft, draft.current_version.provisions.get(kind="article", number=3)


@pytest.fixture
def beijing_legislator(regions):
    return UserFactory(role=Role.LEGISLATOR, jurisdiction_id="110000")


@pytest.fixture
def hebei_legislator(regions):
    return UserFactory(role=Role.LEGISLATOR, jurisdiction_id="130000")
