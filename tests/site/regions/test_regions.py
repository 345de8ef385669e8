import pytest

from regions.models import Region
from regions.services import GB2260_CSV, RegionFileError, load_regions, read_region_rows


def test_the_shipped_file_reads_cleanly():
    rows = read_region_rows(GB2260_CSV)

    assert len(rows) > 3000
    assert {"110000", "130626", "440305"} <= {row.code for row in rows}


def test_loading_builds_the_tree_and_is_idempotent(db):
    # given
    rows = [row for row in read_region_rows(GB2260_CSV) if row.code[:2] == "13"]

    # when
    created, updated = load_regions(rows)
    again = load_regions(rows)

    # then
    assert created == len(rows) and updated == 0
    assert again == (0, 0)
    dingxing = Region.objects.get(code="130626")
    assert dingxing.level == "county"
    assert dingxing.parent.code == "130600"
    assert dingxing.parent.parent.code == "130000"
    assert dingxing.full_name == "河北省保定市定兴县"


def test_containment_is_by_code_prefix(regions):
    hebei, baoding, beijing = (Region.objects.get(code=code) for code in ("130000", "130600", "110000"))

    assert hebei.contains("130626") and baoding.contains("130626")
    assert not beijing.contains("130626")
    assert not baoding.contains("130100")


def test_a_bad_file_names_the_line_at_fault(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("code,name\n110000,北京市\n11000,半个代码\n", encoding="utf-8")

    with pytest.raises(RegionFileError, match=r"regions.csv:3"):
        read_region_rows(path)


def test_a_duplicate_code_is_refused(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("code,name\n110000,北京市\n110000,北京\n", encoding="utf-8")

    with pytest.raises(RegionFileError, match="duplicate code 110000"):
        read_region_rows(path)


def test_every_full_name_in_one_query(regions, django_assert_num_queries):
    from regions.selectors import full_names

    with django_assert_num_queries(1):
        names = full_names()

    assert len(names) == Region.objects.count()
    assert all(names[region.code] == region.full_name for region in Region.objects.all())
    assert names["130626"] == "河北省保定市定兴县"
