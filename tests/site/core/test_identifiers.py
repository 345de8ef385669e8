"""Chinese identifiers: resident ID numbers and unified social credit codes, checked by their check characters."""

import pytest

from core.identifiers import (
    id_check_character,
    is_valid_credit_code,
    is_valid_resident_id,
    normalise_name,
    uscc_check_character,
)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("110105194912310021", False),  # wrong check character
        ("11010519491331002X", False),  # no 13th month
        ("1101051949123100", False),
        ("", False),
    ],
)
def test_resident_id_numbers(value, valid):
    assert is_valid_resident_id(value) is valid


def test_resident_id_check_character_over_many_numbers():
    for serial in range(100, 200):
        first17 = f"13062619900101{serial:03d}"
        assert is_valid_resident_id(first17 + id_check_character(first17))


@pytest.mark.parametrize("first17", ["91130626MA0ABCDE1", "12100000400000000", "91310000607221234"])
def test_unified_social_credit_codes(first17):
    code = first17 + uscc_check_character(first17)

    assert is_valid_credit_code(code)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert not is_valid_credit_code(wrong)
    assert not is_valid_credit_code(code.replace(code[9], "I"))  # I is not in the character set


def test_names_compare_without_spaces_width_or_case():
    assert normalise_name(" 保定 Ｘ 公司 ") == normalise_name("保定x公司") == "保定x公司"
    assert normalise_name(None) == ""
