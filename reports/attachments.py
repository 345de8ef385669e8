"""What a report attachment may be, decided by its content: never by its name or declared type alone.

Pure: a file name and its bytes in, the accepted MIME type out, or a ValidationError whose message
the reporter can act on. The inspectors who open these files are the people an attacker would aim at,
so the rules refuse anything that can act by itself when opened:

- only PDF, JPEG, PNG, GIF, WebP, Word (.docx), Excel (.xlsx), MP3, MP4 and UTF-8 text, and the name's
  extension must agree with the content (a PNG called .pdf is refused, so is a PDF called .txt);
- HTML, SVG, XML, scripts, executables and old Office files are refused whatever they are called;
- a file that is two formats at once (a PDF or an image with a ZIP inside, a ZIP with a PDF header) is refused;
- PDFs with JavaScript, automatic actions, launch or remote actions, embedded files, XFA or rich media are
  refused, including inside compressed object streams and behind #-escaped names;
- Word and Excel files are read from the ZIP central directory first: too much declared data, an extreme
  compression ratio, overlapping or encrypted entries are refused before anything is inflated, and then
  every part is inflated in bounded chunks. Macros, ActiveX, OLE objects, embedded files and nested
  archives, DDE and field includes, formulas that call out, and links that fetch something when the file
  is opened are refused; the package must really be a document of the claimed type;
- pictures must decode (Pillow), within a pixel limit.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from html import unescape
from io import BytesIO
from pathlib import PurePosixPath, PureWindowsPath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from filetype.types.audio import Mp3
from filetype.types.video import Mp4
from PIL import Image

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
GIF = "image/gif"
WEBP = "image/webp"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MP3 = "audio/mpeg"
MP4 = "video/mp4"
TEXT = "text/plain"

ALLOWED_TYPES = {
    PDF: "pdf",
    JPEG: "jpg",
    PNG: "png",
    GIF: "gif",
    WEBP: "webp",
    DOCX: "docx",
    XLSX: "xlsx",
    MP3: "mp3",
    MP4: "mp4",
    TEXT: "txt",
}
# The extensions a name may have for each accepted type: the content must be what the name says.
EXTENSIONS = {
    **{extension: mime for mime, extension in ALLOWED_TYPES.items()},
    "jpeg": JPEG,
    "jpe": JPEG,
}

MAX_INFLATED_BYTES = 50 * 1024 * 1024  # what a Word or Excel file, or a PDF's object streams, may unpack to
MAX_RATIO = 100  # declared unpacked size / file size
MAX_ZIP_ENTRIES = 5000
MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel phone photo passes
CHUNK = 64 * 1024


class Refused(ValidationError):
    """An attachment that is not accepted, with the message to show."""


def _not_accepted(label: str) -> Refused:
    return Refused(_("This kind of file is not accepted: %(name)s") % {"name": label}, code="type")


def _mismatch(label: str) -> Refused:
    return Refused(_("The content of %(name)s does not match its file name.") % {"name": label}, code="mismatch")


def _active(label: str) -> Refused:
    return Refused(
        _(
            "%(name)s is not accepted: it contains scripts, macros, embedded files or links that open by "
            "themselves. Save it as a plain PDF or picture and attach that."
        )
        % {"name": label},
        code="active",
    )


def _polyglot(label: str) -> Refused:
    return Refused(
        _("%(name)s is not accepted: it is more than one kind of file at once.") % {"name": label}, code="polyglot"
    )


def _too_much(label: str) -> Refused:
    return Refused(_("%(name)s is not accepted: it would unpack to too much data.") % {"name": label}, code="bomb")


def _damaged(label: str) -> Refused:
    return Refused(_("%(name)s is damaged or cannot be checked.") % {"name": label}, code="damaged")


def _too_large_picture(label: str) -> Refused:
    return Refused(_("%(name)s is not accepted: the picture is too large.") % {"name": label}, code="pixels")


# --- the entry point --------------------------------------------------------------------------------


def inspect_attachment(name: str, data: bytes) -> str:
    """The MIME type `data` is accepted as, given it was uploaded as `name`; raises ValidationError otherwise."""
    label = _label(name)
    if not data:
        raise Refused(_("An attachment is empty."), code="empty")
    if _is_forbidden(data):
        raise _not_accepted(label)
    claimed = EXTENSIONS.get(_extension(name))
    found = _magic(data)
    if found == "zip":
        found = claimed if claimed in PACKAGES else None
        if found is None:
            raise _mismatch(label) if claimed else _not_accepted(label)
    if claimed is None or found is None:
        raise _not_accepted(label)
    if found != claimed:
        raise _mismatch(label)
    if found not in PACKAGES and _has_second_format(data):
        raise _polyglot(label)
    CHECKS[found](data, label)
    return found


def _label(name: str) -> str:
    return PureWindowsPath(name or "").name[:80] or "file"


def _extension(name: str) -> str:
    suffix = PurePosixPath(PureWindowsPath(name or "").name).suffix
    return suffix[1:].lower()


# --- what a file is --------------------------------------------------------------------------------

_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows executables and DLLs
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"#!",  # scripts
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE: .doc, .xls, .msi, with macros and embedded objects
    b"{\\rt",  # RTF: embedded objects, a classic exploit carrier
    b"dex\n",
    b"\x00asm",
)
_MARKUP = re.compile(
    rb"<\s*(?:script|html|svg|!doctype|\?xml|iframe|frame|object|embed|body|head|meta|img|form|style|base|xsl:\w+"
    rb"|foreignobject)(?=[\s/>])",
    re.IGNORECASE,
)
_MARKUP_START = re.compile(rb"\s*<[A-Za-z!?/]")
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _is_forbidden(data: bytes) -> bool:
    """Executables, scripts and markup (HTML, SVG, XML), whatever the file is called."""
    if data.startswith(_EXECUTABLE_MAGIC):
        return True
    head = data[:4096]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    # UTF-16 markup: drop the zero bytes so `<\x00h\x00t\x00m\x00l\x00>` reads as `<html>`.
    if head[:1] == b"\x00" or head[1:2] == b"\x00":
        head = head.replace(b"\x00", b"")
    return bool(_MARKUP_START.match(head))


def _magic(data: bytes) -> str | None:
    """The type the content says, "zip" for an Office package, None when it is none we accept."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if Mp4().match(data[:4096]):
        return MP4
    if Mp3().match(data[:16]):
        return MP3
    if _is_text(data):
        return TEXT
    return None


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not _TEXT_CONTROLS.search(text) and not _MARKUP.search(data)


# --- two formats in one ----------------------------------------------------------------------------

_ZIP_METHODS = {0, 1, 6, 8, 9, 12, 14, 93, 95, 98, 99}


def _has_second_format(data: bytes) -> bool:
    """A ZIP (local header or end of central directory) or a PDF header inside a file of another type."""
    if data[:5] != b"%PDF-" and b"%PDF-" in data[:1024]:  # PDF readers look for the header in the first KB
        return True
    if zipfile.is_zipfile(BytesIO(data)):
        return True
    for match in re.finditer(rb"PK\x03\x04", data):
        if _plausible_local_header(data, match.start()):
            return True
    return any(_plausible_end_record(data, match.start()) for match in re.finditer(rb"PK\x05\x06", data))


def _plausible_local_header(data: bytes, at: int) -> bool:
    header = data[at : at + 30]
    if len(header) < 30:
        return False
    version, flags, method = struct.unpack("<HHH", header[4:10])
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    if version > 63 or flags & 0xF000 or method not in _ZIP_METHODS or not 0 < name_length <= 1024:
        return False
    name = data[at + 30 : at + 30 + name_length]
    try:
        text = name.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return len(name) == name_length and text.isprintable()


def _plausible_end_record(data: bytes, at: int) -> bool:
    record = data[at : at + 22]
    if len(record) < 22:
        return False
    disk, cd_disk, entries_here, entries, cd_size, cd_offset = struct.unpack("<HHHHII", record[4:20])
    return disk == cd_disk == 0 and entries_here == entries and cd_offset + cd_size <= at


# --- PDF -------------------------------------------------------------------------------------------

_NAME_CHARS = rb"[^\x00\t\n\x0c\r /\[\]()<>{}%]"
_ACTIVE_PDF_NAMES = {
    b"JavaScript",
    b"JS",
    b"AA",  # additional actions: run on opening a page, a field, the document
    b"Launch",
    b"GoToR",
    b"GoToE",
    b"SubmitForm",
    b"ImportData",
    b"Rendition",
    b"RichMedia",
    b"XFA",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"FileAttachment",
}
_PDF_NAME = re.compile(rb"/(" + _NAME_CHARS + rb"+)")
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_DIRECT_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")


def _pdf_names(data: bytes):
    """Each name in `data`, #-escapes decoded, with where it ends."""
    for match in _PDF_NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = _PDF_HEX.sub(lambda escape: bytes([int(escape.group(1), 16)]), name)
        yield name, match.end()


def _check_pdf(data: bytes, label: str) -> None:
    structure, object_streams = _split_pdf(data)
    texts = [structure]
    streams: list[tuple[int, bytes]] = []  # (offset of the first object, inflated content) of each object stream
    budget = MAX_INFLATED_BYTES
    for dictionary, body in object_streams:
        names = {name for name, _end in _pdf_names(dictionary)}
        if names & _HIDING_FILTERS:
            raise _damaged(label)  # other filters, predictors or encryption would hide what the objects say
        if names & {b"FlateDecode", b"Fl"}:
            try:
                body = zlib.decompressobj().decompress(body, budget + 1)
            except zlib.error:
                raise _damaged(label) from None
            budget -= len(body)
            if budget < 0:
                raise _too_much(label)
        first = re.search(rb"/First\s+(\d+)", dictionary)
        streams.append((int(first.group(1)) if first else 0, body))
        texts.append(body)

    def resolve(number: int) -> list[bytes]:
        """The start of each value object `number` has, wherever it is stored (an update may redefine it)."""
        values = [
            structure[header.end() :] for header in re.finditer(rb"(?<![0-9])%d\s+\d+\s+obj\b" % number, structure)
        ]
        for first, content in streams:
            numbers = content[:first].split()
            for index in range(0, len(numbers) - 1, 2):
                if numbers[index] == b"%d" % number and numbers[index + 1].isdigit():
                    values.append(content[first + int(numbers[index + 1]) :])
        return values

    for text in texts:
        for name, end in _pdf_names(text):
            if name in _ACTIVE_PDF_NAMES or (name == b"OpenAction" and not _only_opens_a_page(text[end:], resolve)):
                raise _active(label)


_WHITESPACE = b"\x00\t\n\x0c\r "


def _only_opens_a_page(value: bytes, resolve: Callable[[int], list[bytes]], depth: int = 0) -> bool:
    """Whether an /OpenAction value only shows a page: a destination ([page /Fit]) or a GoTo action.

    Anything else (JavaScript, a URI fetched as the file opens, a named action) is refused, and so is a
    reference that leads nowhere.
    """
    value = value.lstrip(_WHITESPACE)
    if value.startswith(b"["):
        return True
    reference = re.match(rb"(\d+)\s+\d+\s+R\b", value)
    if reference:
        targets = resolve(int(reference.group(1))) if depth < 4 else []
        return bool(targets) and all(_only_opens_a_page(target, resolve, depth + 1) for target in targets)
    if value.startswith(b"<<"):
        names = [name for name, _end in _pdf_names(value[: value.find(b">>")])]
        kinds = [names[index + 1] for index, name in enumerate(names[:-1]) if name == b"S"]
        return kinds == [b"GoTo"]
    return False


_HIDING_FILTERS = {
    b"ASCIIHexDecode",
    b"ASCII85Decode",
    b"LZWDecode",
    b"RunLengthDecode",
    b"Crypt",
    b"AHx",
    b"A85",
    b"LZW",
    b"RL",
    b"DecodeParms",
    b"DP",
}
_OBJECT_HEADER = re.compile(rb"\d\s+\d+\s+obj\b|endobj|trailer")


def _split_pdf(data: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """The PDF without its stream bodies (pictures, fonts and page content cannot hold actions, and their
    random bytes would look like names), and the (dictionary, raw body) of each object stream.

    A stream body that contains object headers is kept in the structure: a wrong /Length must not hide objects.
    """
    pieces, object_streams, position = [], [], 0
    for match in _STREAM.finditer(data):
        if match.start() < position:
            continue
        start = data.rfind(b"obj", max(position, match.start() - 16384), match.start())
        dictionary = data[start if start >= 0 else match.start() : match.start()]
        names = {name for name, _end in _pdf_names(dictionary)}
        length = _DIRECT_LENGTH.search(dictionary)
        if length:
            end = match.end() + int(length.group(1))
        else:
            end = data.find(b"endstream", match.end())
            end = end if end >= 0 else len(data)
        body = data[match.end() : end]
        if b"ObjStm" in names or {b"N", b"First"} <= names:
            object_streams.append((dictionary, body))
        if _OBJECT_HEADER.search(body):
            continue  # not skipped: scanned with the rest
        pieces.append(data[position : match.end()])
        position = end
    pieces.append(data[position:])
    return b" ".join(pieces), object_streams


# --- Word and Excel (Office Open XML packages) -------------------------------------------------------

PACKAGES = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_FORBIDDEN_CONTENT_TYPES = re.compile(
    r"macroenabled|vbaproject|vbadata|activex|oleobject|macrosheet|msdownload|ms-office\.vba|x-ms|java|script",
    re.IGNORECASE,
)
_FORBIDDEN_PARTS = re.compile(
    r"(^|/)(activex|embeddings|macrosheets|dialogsheets)/|vbaproject|vbadata|\.(bin|exe|dll|js|vbs|ps1|bat|cmd|hta"
    r"|html?|mht|svg|zip|rar|7z|gz|tar|jar|cab|docx|docm|xlsx|xlsm|pptx|pptm|odt|ods|doc|xls|ppt|pdf)$",
    re.IGNORECASE,
)
_ALLOWED_BINARY_PARTS = re.compile(r"^(word|xl)/printerSettings/printerSettings\d+\.bin$", re.IGNORECASE)
_NESTED_MAGIC = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x1f\x8b",
    b"MSCF",
    b"%PDF",
    *_EXECUTABLE_MAGIC,
)
_FORBIDDEN_RELATIONSHIPS = {
    "vbaProject",
    "oleObject",
    "package",
    "control",
    "activeXControlBinary",
    "aFChunk",
    "subDocument",
    "frame",
}
_LOCAL_PATH = re.compile(r"^(file:///)?[a-z]:[\\/]", re.IGNORECASE)
_RELATIONSHIP = re.compile(r"<Relationship\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'([\w:]+)\s*=\s*("[^"]*"|\'[^\']*\')')
_OVERRIDE = re.compile(r"<(Override|Default)\b([^>]*)>", re.IGNORECASE)
# Word fields that run or fetch something: DDE, includes, links to other files, and QUOTE (which spells them).
_ACTIVE_FIELDS = {"DDE", "DDEAUTO", "INCLUDETEXT", "INCLUDEPICTURE", "INCLUDE", "IMPORT", "LINK", "QUOTE"}
# Any namespace prefix: XML lets a document bind the WordprocessingML namespace to another one than w:.
_FIELD_PIECE = re.compile(
    rb"<(?:[\w.-]+:)?fldChar\b[^>]*?fldCharType\s*=\s*[\"'](begin|separate|end)[\"']"
    rb"|<(?:[\w.-]+:)?instrText\b[^>]*>([^<]*)</(?:[\w.-]+:)?instrText\s*>"
    rb"|<(?:[\w.-]+:)?fldSimple\b[^>]*?\binstr\s*=\s*(\"[^\"]*\"|'[^']*')",
)
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f\b[^>]*>([^<]*)</(?:[\w.-]+:)?f\s*>")
_FORMULA_CALLS = re.compile(r"\b(WEBSERVICE|RTD|CALL|REGISTER|EXEC)\s*\(", re.IGNORECASE)


def _check_package(mime: str) -> Callable[[bytes, str], None]:
    def check(data: bytes, label: str) -> None:
        if b"%PDF-" in data[:1024]:
            raise _polyglot(label)
        try:
            parts = _read_package(data, label)
        except ValidationError:
            raise
        except Exception:  # zipfile raises many kinds of errors on crafted input
            raise _damaged(label) from None
        _check_package_parts(parts, mime, label)

    return check


def _read_package(data: bytes, label: str) -> dict[str, bytes]:
    """Every part of the package: XML parts whole, other parts' first bytes; refused before inflating if too big."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        entries = archive.infolist()
        if not entries or len(entries) > MAX_ZIP_ENTRIES:
            raise _damaged(label)
        declared = sum(entry.file_size for entry in entries)
        if declared > MAX_INFLATED_BYTES or declared > MAX_RATIO * len(data):
            raise _too_much(label)
        _check_layout(data, archive, entries, label)
        parts: dict[str, bytes] = {}
        budget = MAX_INFLATED_BYTES
        for entry in entries:
            if entry.is_dir():
                continue
            keep_all = entry.filename.lower().endswith((".xml", ".rels"))
            chunks, size = [], 0
            with archive.open(entry) as stream:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    budget -= len(chunk)
                    if size > entry.file_size or budget < 0:
                        raise _too_much(label)
                    if keep_all or size <= CHUNK:
                        chunks.append(chunk)
                    if not keep_all:
                        break  # the first bytes tell what it is
            parts[entry.filename] = b"".join(chunks)
        return parts


def _check_layout(data: bytes, archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], label: str) -> None:
    """One well-formed archive filling the file: nothing before, after, between or overlapping its entries."""
    comment = archive.comment
    end_record = len(data) - 22 - len(comment)
    if data[end_record : end_record + 4] != b"PK\x05\x06" or b"%PDF" in comment:
        raise _polyglot(label)
    seen: set[str] = set()
    position = 0
    for entry in sorted(entries, key=lambda item: item.header_offset):
        name = entry.filename
        if (
            entry.flag_bits & 0x1  # encrypted
            or entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
            or name.startswith("/")
            or "\\" in name
            or "\x00" in name
            or ".." in name.split("/")
            or name.lower() in seen
        ):
            raise _damaged(label)
        seen.add(name.lower())
        if entry.header_offset < position:
            raise _damaged(label)  # overlapping entries: the classic way to multiply a bomb
        if entry.header_offset > position:
            raise _polyglot(label)  # bytes before or between entries: room for another file
        header = data[entry.header_offset : entry.header_offset + 30]
        if header[:4] != b"PK\x03\x04":
            raise _damaged(label)
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        position = entry.header_offset + 30 + name_length + extra_length + entry.compress_size
        if entry.flag_bits & 0x8:  # a data descriptor follows, with or without its signature
            position += 16 if data[position : position + 4] == b"PK\x07\x08" else 12
    if archive.start_dir != position:
        raise _polyglot(label) if archive.start_dir > position else _damaged(label)


def _check_package_parts(parts: dict[str, bytes], mime: str, label: str) -> None:
    lower = {name.lower(): name for name in parts}
    if "[content_types].xml" not in lower or "_rels/.rels" not in lower:
        raise _mismatch(label)
    for name, content in parts.items():
        if _FORBIDDEN_PARTS.search(name) and not _ALLOWED_BINARY_PARTS.match(name):
            raise _active(label)
        if not name.lower().endswith((".xml", ".rels")):
            if content.startswith(_NESTED_MAGIC):
                raise _active(label)  # an archive, a PDF or a program inside the document
            continue
        if b"<!DOCTYPE" in content or b"<!ENTITY" in content or b"<![CDATA[" in content:
            # Office never writes these: a DTD or entities are how XML bombs and XXE work, and CDATA would hide
            # a field instruction or a formula from the checks below.
            raise _active(label)
    content_types = _text(parts[lower["[content_types].xml"]])
    declared = {}
    for _kind, attributes in _OVERRIDE.findall(content_types):
        values = _attributes(attributes)
        content_type = values.get("ContentType", "")
        if _FORBIDDEN_CONTENT_TYPES.search(content_type):
            raise _active(label)
        if values.get("PartName"):
            declared[values["PartName"].lstrip("/").lower()] = content_type
    main = _main_part(_text(parts[lower["_rels/.rels"]]))
    if main is None or main.lower() not in lower or declared.get(main.lower()) != PACKAGES[mime]:
        raise _mismatch(label)
    for name, content in parts.items():
        if name.lower().endswith(".rels"):
            _check_relationships(_text(content), label)
        elif mime == DOCX and name.lower().startswith("word/") and _has_active_field(content):
            raise _active(label)
        elif mime == XLSX and name.lower().startswith("xl/"):
            _check_spreadsheet_part(name, content, label)


def _text(content: bytes) -> str:
    return content.decode("utf-8", errors="replace")


def _attributes(text: str) -> dict[str, str]:
    return {key.split(":")[-1]: unescape(value[1:-1]) for key, value in _ATTRIBUTE.findall(text)}


def _main_part(relationships: str) -> str | None:
    for attributes in _RELATIONSHIP.findall(relationships):
        values = _attributes(attributes)
        if values.get("Type", "").endswith("/officeDocument"):
            return values.get("Target", "").lstrip("/")
    return None


def _check_relationships(relationships: str, label: str) -> None:
    """No macro, OLE or ActiveX part, and nothing fetched from elsewhere when the document opens."""
    for attributes in _RELATIONSHIP.findall(relationships):
        values = _attributes(attributes)
        kind = values.get("Type", "").rsplit("/", 1)[-1]
        if kind in _FORBIDDEN_RELATIONSHIPS:
            raise _active(label)
        if values.get("TargetMode", "").lower() != "external" or kind == "hyperlink":
            continue
        target = values.get("Target", "").strip()
        local = _LOCAL_PATH.match(target) or not re.match(r"^([a-z][a-z0-9+.-]+:|\\\\|//)", target, re.IGNORECASE)
        if not (kind in {"attachedTemplate", "externalLinkPath"} and local):
            raise _active(label)  # remote templates, pictures, frames: fetched when opened


def _has_active_field(content: bytes) -> bool:
    """A Word field whose instruction runs or fetches something; fields split across runs are joined first."""
    stack: list[list[str]] = []
    for match in _FIELD_PIECE.finditer(content):
        kind, instruction, simple = match.groups()
        if simple is not None:
            if _is_active_instruction(unescape(simple[1:-1].decode("utf-8", "replace"))):
                return True
        elif instruction is not None:
            if stack:
                stack[-1].append(unescape(instruction.decode("utf-8", "replace")))
        elif kind == b"begin":
            if stack and not "".join(stack[-1]).strip():
                return True  # an instruction that starts with another field: how DDE hides behind QUOTE
            stack.append([])
        elif stack:
            if _is_active_instruction("".join(stack[-1])):
                return True
            if kind == b"end":
                stack.pop()
            else:
                stack[-1] = ["(result)"]  # past the separator: the result is not an instruction
    return any(_is_active_instruction("".join(pieces)) for pieces in stack)


def _is_active_instruction(instruction: str) -> bool:
    words = instruction.strip().lstrip('"').split()
    return bool(words) and words[0].upper() in _ACTIVE_FIELDS


def _check_spreadsheet_part(name: str, content: bytes, label: str) -> None:
    lowered = name.lower()
    if lowered.startswith("xl/externallinks/") and (b"<ddeLink" in content or b"<oleLink" in content):
        raise _active(label)
    if lowered.startswith("xl/worksheets/"):
        for match in _FORMULA.finditer(content):
            formula = re.sub(r'"[^"]*"', "", unescape(match.group(1).decode("utf-8", "replace")))
            if "|" in formula or _FORMULA_CALLS.search(formula):
                raise _active(label)  # DDE (app|topic!item) and functions that call out


# --- pictures ---------------------------------------------------------------------------------------


def _check_image(image_format: str) -> Callable[[bytes, str], None]:
    def check(data: bytes, label: str) -> None:
        try:
            with Image.open(BytesIO(data), formats=[image_format]) as image:
                width, height = image.size
                if width < 1 or height < 1:
                    raise _damaged(label)
                if width * height > MAX_IMAGE_PIXELS:
                    raise _too_large_picture(label)
                image.verify()
            with Image.open(BytesIO(data), formats=[image_format]) as image:
                if image_format == "JPEG":
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))  # decode every block, at 1/8
                image.load()
        except ValidationError:
            raise
        except Image.DecompressionBombError:
            raise _too_large_picture(label) from None
        except Exception:  # Pillow raises many kinds of errors on broken pictures
            raise _damaged(label) from None

    return check


def _no_further_check(data: bytes, label: str) -> None:
    """Text, MP3 and MP4: the type and the polyglot checks above are all there is."""


CHECKS: dict[str, Callable[[bytes, str], None]] = {
    PDF: _check_pdf,
    JPEG: _check_image("JPEG"),
    PNG: _check_image("PNG"),
    GIF: _check_image("GIF"),
    WEBP: _check_image("WEBP"),
    DOCX: _check_package(DOCX),
    XLSX: _check_package(XLSX),
    MP3: _no_further_check,
    MP4: _no_further_check,
    TEXT: _no_further_check,
}
