"""The staff screen that imports a version: messy pasted text is accepted, an unplaceable line is shown."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

PASTED = (
    "# 某某市物业管理条例（草案）\r\n"
    "某某市 物业管理条例（草案）\r\n"
    "（2026年11月1日某某市人民代表大会常务委员会主任会议通过　征求意见稿）\r\n"
    "目\u3000\u3000录\r\n"
    "第一章\u3000总\u3000\u3000则\r\n"
    "第二章\u3000业\u3000\u3000主\r\n"
    "\r\n"
    "为了广泛听取意见，现将草案全文公布。\r\n"
    "第一章\u3000总\u3000\u3000则\r\n"
    "\u3000\u3000第 一 条\u3000为了规范物业管理活动，制定本条例。\r\n"
    "第二章\u00a0业主\r\n"
    "第二条\u00a0业主享有下列权利：\r\n"
    "（一）知情权；\r\n"
)


def test_a_pasted_text_is_imported(client, make_draft, beijing_legislator):
    draft = make_draft()
    client.force_login(beijing_legislator)

    response = client.post(
        reverse("consultations_admin:import", args=[draft.pk]), {"label": "二审稿", "text": PASTED}, follow=True
    )

    version = draft.versions.order_by("-number").first()
    assert version.label == "二审稿"
    assert version.title == "某某市物业管理条例（草案）"
    assert version.structure["chapters"] == 2 and version.structure["articles"] == 2
    assert "目" not in version.preamble and "为了广泛听取意见" in version.preamble
    assert "已导入《某某市物业管理条例（草案）》二审稿：2章、0节、2条、0项；另有2行说明和序言单独保存。" in (
        response.content.decode()
    )


def test_an_unplaceable_line_is_named_quoted_and_shown_among_its_neighbours(client, make_draft, beijing_legislator):
    draft = make_draft()
    before = draft.versions.count()
    client.force_login(beijing_legislator)
    broken = PASTED + "第四条\u3000本条例自公布之日起施行。\r\n"

    response = client.post(reverse("consultations_admin:import", args=[draft.pk]), {"label": "二审稿", "text": broken})

    assert response.status_code == 200
    assert draft.versions.count() == before
    html = response.content.decode()
    assert "第14行：条文编号不连续：第二条之后是第四条。该行原文：“第四条\u3000本条例自公布之日起施行。”" in html
    assert response.context["unplaced"]["line"] == 14
    assert [number for number, _text in response.context["unplaced"]["lines"]] == [12, 13, 14, 15]
    assert "第14行附近的原文" in html


def test_an_uploaded_file_with_a_fault_is_shown_too(client, make_draft, beijing_legislator):
    draft = make_draft()
    client.force_login(beijing_legislator)
    upload = SimpleUploadedFile("draft.txt", "某某条例\n第一条 甲。\n第一条 乙。\n".encode("utf-8-sig"))

    response = client.post(reverse("consultations_admin:import", args=[draft.pk]), {"label": "二审稿", "file": upload})

    assert response.context["unplaced"]["line"] == 3
    assert "第3行：第一条重复出现（首次在第2行）" in response.content.decode()
