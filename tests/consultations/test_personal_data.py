"""Personal data in comments: detected (ID numbers with their check digit, mobile numbers, e-mail addresses),
never confused with article numbers, dates or amounts, held for moderation and masked in what is published."""

import pytest

from consultations import personal_data
from consultations.models import Comment, CommentStatus, Stance
from consultations.personal_data import EMAIL, ID_NUMBER, PHONE
from consultations.services import approve_comment, submit_comment


def _id(first17: str) -> str:
    return first17 + personal_data.id_check_digit(first17)


VALID_ID = _id("11010519491231002")  # ends in X
VALID_ID_DIGIT = _id("44030419900101123")


def test_check_digit_follows_gb_11643():
    assert VALID_ID == "11010519491231002X"
    assert personal_data.is_resident_id(VALID_ID)
    assert personal_data.is_resident_id(VALID_ID.lower())
    assert personal_data.is_resident_id(VALID_ID_DIGIT)


@pytest.mark.parametrize("number", [VALID_ID, VALID_ID_DIGIT, VALID_ID.lower()])
def test_a_valid_id_number_is_found_in_text(number):
    assert personal_data.kinds(f"我的身份证号是{number}，请联系。") == {ID_NUMBER}


def test_an_id_number_with_a_wrong_check_digit_is_not():
    wrong = VALID_ID_DIGIT[:-1] + str((int(VALID_ID_DIGIT[-1]) + 1) % 10)
    assert personal_data.kinds(f"编号{wrong}") == set()
    assert personal_data.kinds("编号110105194913310021") == set()  # no 13th month


@pytest.mark.parametrize(
    "text", ["电话13812345678", "手机：+86 138-1234-5678", "请拨 139 1234 5678", "１３８１２３４５６７８"]
)
def test_mobile_numbers(text):
    assert personal_data.kinds(text) == {PHONE}


@pytest.mark.parametrize("text", ["邮箱 zhang.san@example.cn", "写信给 li_si+law@mail.sh.gov.cn 即可"])
def test_email_addresses(text):
    assert personal_data.kinds(text) == {EMAIL}


@pytest.mark.parametrize(
    "text",
    [
        "第十八条 建议删除。",
        "第18条第2款",
        "自2026-11-30起施行",
        "截止日期20261130，共计",
        "罚款20000元以上200000元以下",
        "预算金额13812345678元",
        "统一社会信用代码91310000MA1K3YJ12X",
        "文号沪府发〔2026〕18号，电话区号021",
        "共12345678901234567件",
    ],
)
def test_no_false_positives(text):
    assert personal_data.find(text) == []
    assert personal_data.mask(text) == text


def test_masking_keeps_the_shape():
    masked = personal_data.mask(f"身份证{VALID_ID}，电话13812345678，邮箱zhang.san@example.cn。")
    assert masked == "身份证1101*************X，电话138****5678，邮箱z***@example.cn。"


def test_a_comment_with_personal_data_waits_and_is_published_masked(client, article_3, citizen, beijing_legislator):
    draft, article = article_3  # post-moderated: comments normally appear at once
    text = f"我是业主，身份证{VALID_ID}，电话13812345678，欢迎联系讨论第三条。"

    comment = submit_comment(draft=draft, author=citizen, provision=article, text=text, stance=Stance.AMEND)

    stored = Comment.objects.get(pk=comment.pk)
    assert stored.status == CommentStatus.PENDING
    assert "personal data" in stored.hold_reason or "个人信息" in stored.hold_reason
    assert stored.submitted_text == text
    assert VALID_ID not in stored.text and "13812345678" not in stored.text
    assert "138****5678" in stored.text

    approve_comment(comment=stored, moderator=beijing_legislator)
    page = client.get(draft.url + f"articles/{article.pk}/").content.decode()
    api = client.get(f"/api/consultations/drafts/{draft.pk}/comments").content.decode()
    for published in (page, api):
        assert "138****5678" in published
        assert "13812345678" not in published
        assert VALID_ID not in published


def test_a_plain_comment_is_not_held(article_3, citizen):
    draft, article = article_3
    comment = submit_comment(
        draft=draft,
        author=citizen,
        provision=article,
        text="第十八条的罚款20000元太高，建议自2026-11-30起降低。",
        stance=Stance.AMEND,
    )
    assert (comment.status, comment.hold_reason, comment.submitted_text) == (CommentStatus.PUBLISHED, "", "")
