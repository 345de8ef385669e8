"""`import_draft` for bulk work, and the demo content."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from consultations.models import Comment, DraftPage, DraftStatus
from tests.conftest import require

LAWS = Path(__file__).resolve().parents[3] / "shared" / "data" / "laws"


def test_dry_run_prints_the_structure_as_json_on_the_last_line(db):
    require(LAWS.exists(), "../shared/data/laws is missing")
    out = StringIO()

    call_command("import_draft", str(LAWS / "gongsi_fa_2023.md"), "--dry-run", "--json", stdout=out)

    last = out.getvalue().strip().splitlines()[-1]
    assert json.loads(last) == {"parts": 0, "chapters": 15, "sections": 9, "articles": 266, "items": 0}


def test_bad_input_exits_with_a_clear_message(tmp_path, db):
    bad = tmp_path / "bad.md"
    bad.write_text("第一条 甲。\n第一条 乙。\n", encoding="utf-8")

    with pytest.raises(CommandError, match="第2行：第一条重复出现"):
        call_command("import_draft", str(bad), "--dry-run")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_draft", str(tmp_path / "missing.md"), "--dry-run")


def test_importing_into_a_draft(make_draft, tmp_path):
    draft = make_draft()
    text = tmp_path / "second.md"
    text.write_text("第一条 为了规范物业管理活动，制定本条例。\n第二条 本条例适用于本市。\n", encoding="utf-8")
    out = StringIO()

    call_command("import_draft", str(text), "--draft", str(draft.pk), "--label", "二审稿", stdout=out)

    assert draft.versions.count() == 2
    assert "2 articles matched" in out.getvalue()


def test_the_demo_has_open_reported_and_two_version_consultations(demo_content):
    call_command("load_demo", stdout=StringIO())  # loaded twice: nothing duplicated

    drafts = {d.slug: d for d in DraftPage.objects.all()}
    assert len(drafts) == 5
    assert drafts["wuzhangai-huanjing-jianshe-fa"].status == DraftStatus.OPEN
    assert drafts["xingzheng-fuyi-fa"].versions.count() == 2
    first, second = (
        drafts["shanghai-youhua-yingshang-huanjing-tiaoli"],
        drafts["shanghai-youhua-yingshang-huanjing-tiaoli-2"],
    )
    assert (first.status, second.status) == (DraftStatus.REPORT_PUBLISHED, DraftStatus.OPEN)
    assert Comment.objects.filter(draft=first).count() == 85
    assert Comment.objects.filter(draft=second).count() == 112
    assert all("CC BY 4.0" in c.source for c in Comment.objects.filter(draft__in=[first, second]))
    assert first.themes.exclude(decision="pending").count() == first.themes.count() == 4
