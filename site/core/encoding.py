"""Text sent to the platform must be valid UTF-8: refused with a 400, never silently replaced.

Django decodes request data with errors="replace": a comment, a report or an API body with broken bytes
would be stored with U+FFFD in place of what the sender wrote, and nobody would be told. This
middleware checks, before any view runs:

- the query string and url-encoded bodies, from their raw bytes after percent-decoding;
- JSON and other text bodies, from their raw bytes;
- the text fields (and file names) of multipart forms, which Django parses as it reads the stream: the
  request's encoding is set to a codec that is UTF-8 whatever error handler it is asked for, so the
  parser raises instead of replacing. Uploaded files themselves are bytes and are not decoded.

A body that declares another charset is refused the same way: the platform speaks UTF-8 only. The answer
is a page with the reason (JSON in the API's error shape under /api/), status 400, in the visitor's language.
"""

from __future__ import annotations

import codecs
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

STRICT_UTF8 = "sunshine_strict_utf_8"
API_PREFIX = "/api/"
UTF8_NAMES = {"utf-8", "utf8", "utf_8"}


def _strict_decode(data, errors: str = "strict") -> tuple[str, int]:
    return codecs.utf_8_decode(data, "strict", True)  # `errors` is ignored on purpose: never replace


class _StrictIncrementalDecoder(codecs.BufferedIncrementalDecoder):
    def _buffer_decode(self, data, errors, final):
        return codecs.utf_8_decode(data, "strict", final)


def _find_codec(name: str) -> codecs.CodecInfo | None:
    if name != STRICT_UTF8:
        return None
    return codecs.CodecInfo(
        name=STRICT_UTF8,
        encode=codecs.utf_8_encode,
        decode=_strict_decode,
        incrementalencoder=codecs.getincrementalencoder("utf-8"),
        incrementaldecoder=_StrictIncrementalDecoder,
    )


codecs.register(_find_codec)


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _percent_decoded(data: bytes) -> bytes:
    return unquote_to_bytes(data.replace(b"+", b" "))


def _raw_query_string(request: HttpRequest) -> bytes:
    scope = getattr(request, "scope", None)
    if scope is not None:  # ASGI: the bytes as they came (a test client may give a string)
        query_string = scope.get("query_string") or b""
        return query_string.encode("utf-8") if isinstance(query_string, str) else query_string
    environ = getattr(request, "environ", None)
    if environ is not None:  # WSGI: a latin-1 string standing for the bytes
        return get_bytes_from_wsgi(environ, "QUERY_STRING", "")
    return request.META.get("QUERY_STRING", "").encode("utf-8")


def _small_enough(request: HttpRequest) -> bool:
    """Whether Django itself would read this body into memory; a larger one is refused by Django anyway."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return limit is None or length <= limit


def request_text_is_utf8(request: HttpRequest) -> bool:
    """Whether every piece of text in the request decodes as UTF-8 (parses a multipart body as a side effect)."""
    if not is_utf8(_percent_decoded(_raw_query_string(request))):
        return False
    content_type = (request.content_type or "").lower()
    charset = request.content_params.get("charset") if request.content_params else None
    if charset and charset.strip().lower() not in UTF8_NAMES:
        return False
    if content_type == "multipart/form-data":
        request.encoding = STRICT_UTF8
        try:
            request.POST  # noqa: B018 - parsing is the check
        except UnicodeDecodeError:
            return False
        return True
    if content_type == "application/x-www-form-urlencoded":
        return not _small_enough(request) or is_utf8(_percent_decoded(request.body))
    if content_type == "application/json" or content_type.endswith("+json") or content_type.startswith("text/"):
        return not _small_enough(request) or is_utf8(request.body)
    return True


def invalid_text_response(request: HttpRequest) -> HttpResponse:
    message = _(
        "The text you sent is not valid UTF-8, so it was not accepted and nothing was saved. "
        "Copy the text again from where you wrote it and send it once more."
    )
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"errors": {"__all__": [message]}}, status=400)
    return render(request, "core/invalid_text.html", {"message": message}, status=400)


class StrictUtf8Middleware:
    """Refuse, with a 400 that says why, any request whose text is not valid UTF-8 (see the module's docstring).

    Put it after the locale, session and authentication middleware, so the page is in the visitor's
    language and has the site's header; anything that reads the body must come after it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request_text_is_utf8(request):
            return invalid_text_response(request)
        return self.get_response(request)
