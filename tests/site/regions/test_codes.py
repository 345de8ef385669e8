"""Region-code ancestry: the one place that knows which codes enclose a GB/T 2260 code."""

import pytest

from regions.codes import NATIONAL_CODE, ancestors, is_region_code, province_of


@pytest.mark.parametrize(
    ("code", "enclosing"),
    [
        ("130626", ["000000", "130000", "130600"]),  # county › city › province › country
        ("130600", ["000000", "130000"]),
        ("130000", ["000000"]),
        ("000000", []),
        ("429004", ["000000", "420000", "429000"]),  # 省直辖县级行政区划
        ("440005", ["000000", "440000"]),  # no city level: skipped, not repeated
        ("", []),
        ("13062", []),
        ("13062X", []),
    ],
)
def test_ancestors_are_the_enclosing_codes_country_first(code, enclosing):
    assert ancestors(code) == enclosing


def test_a_code_is_six_ascii_digits():
    assert is_region_code("130626") and is_region_code(NATIONAL_CODE)
    assert not is_region_code(None) and not is_region_code("1306261") and not is_region_code("１３０６２６")


@pytest.mark.parametrize(
    ("code", "province"), [("130626", "130000"), ("130600", "130000"), ("130000", "130000"), ("000000", "000000")]
)
def test_the_province_of_a_code(code, province):
    assert province_of(code) == province
