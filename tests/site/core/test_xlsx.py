"""core.xlsx: the streaming workbook reads back as written (openpyxl), every part is well-formed XML."""

import io
import zipfile
from datetime import datetime
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from core import xlsx


def _written(build) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsx.Workbook(buffer)
    build(workbook)
    workbook.close()
    return buffer.getvalue()


def test_values_read_back_as_written():
    when = datetime(2026, 3, 1, 8, 30, 15)

    def build(workbook):
        sheet = workbook.add_sheet("意见", [8, 80])
        sheet.append(["ID", "Text", "When", "Share", "Done", "Empty", "None"])
        sheet.append([1, "a & b <c> \"d\" 'e'", when, 0.25, True, "", None, "after gaps"])
        sheet.append([2, "  leading and trailing  ", when, -3, False])
        sheet.append([3, "control\x01\x0bchars\x1f gone, line\nbreak kept, 😀 kept", when])

    data = _written(build)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["意见"]
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0] == ("ID", "Text", "When", "Share", "Done", "Empty", "None", None)
    assert rows[1] == (1, "a & b <c> \"d\" 'e'", when, 0.25, True, None, None, "after gaps")
    assert rows[2][:5] == (2, "  leading and trailing  ", when, -3, False)
    assert rows[3][1] == "control chars gone, line\nbreak kept, 😀 kept".replace(" chars", "chars")
    assert workbook.active["C2"].number_format == "yyyy-mm-dd h:mm:ss"
    assert workbook.active.column_dimensions["B"].width == 80
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            ElementTree.fromstring(package.read(name))  # noqa: S314 -- our own output: well-formed


def test_sheets_follow_one_another_with_safe_unique_names():
    def build(workbook):
        for title in ("Comments", "Comments (2)", "a/b:c*d?[e]"):
            workbook.add_sheet(title).append([title])

    workbook = load_workbook(io.BytesIO(_written(build)))
    assert workbook.sheetnames == ["Comments", "Comments (2)", "a b c d  e "]
    assert [sheet["A1"].value for sheet in workbook.worksheets] == ["Comments", "Comments (2)", "a/b:c*d?[e]"]

    with pytest.raises(ValueError, match="already named"):
        _written(lambda workbook: [workbook.add_sheet("x"), workbook.add_sheet("'X'")])


def test_an_empty_workbook_still_opens():
    workbook = load_workbook(io.BytesIO(_written(lambda workbook: None)))
    assert workbook.sheetnames == ["Sheet1"]


def test_time_zones_are_refused():
    from datetime import UTC

    with pytest.raises(TypeError, match="time zones"):
        _written(lambda workbook: workbook.add_sheet("x").append([datetime(2026, 1, 1, tzinfo=UTC)]))


def test_size_counts_what_a_sheet_holds():
    def build(workbook):
        sheet = workbook.add_sheet("x")
        before = sheet.size
        sheet.append(["意见" * 100])
        assert sheet.size > before + 600  # counted at up to 4 bytes a character while buffered
        sheet.close()
        assert sheet.written >= 600 + len("<row>") and sheet.size == sheet.written

    _written(build)
