"""Streaming responses that stay streamed under ASGI (the site runs on Uvicorn workers).

Given a synchronous iterator, Django's ASGI handler first gathers it into a list
(`StreamingHttpResponse.__aiter__`: "must consume synchronous iterators"), and a FileResponse is one: an export of
400,000 comments, or a 200 MB open-data file, would be held whole in memory before the first byte goes out. Under
ASGI these helpers hand Django an asynchronous iterator that pulls one chunk at a time in a thread; under WSGI
(and Django's test client) the plain iterator or FileResponse, which WSGI servers stream as they are.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import BinaryIO

from asgiref.sync import sync_to_async
from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils.http import content_disposition_header

FILE_BLOCK = 1 << 20  # bytes read from a file at a time under ASGI
_END = object()


def is_asgi(request: HttpRequest) -> bool:
    from django.core.handlers.asgi import ASGIRequest

    return isinstance(request, ASGIRequest)


async def _pulled(chunks: Iterator, *, thread_sensitive: bool) -> AsyncIterator:
    """Each chunk of `chunks` taken by `next` in a thread; the iterator closed at the end or on disconnect.

    `thread_sensitive` runs every step in the one thread Django's synchronous code shares, so a generator that
    reads the database keeps its connection."""
    step = sync_to_async(lambda: next(chunks, _END), thread_sensitive=thread_sensitive)
    try:
        while (chunk := await step()) is not _END:
            yield chunk
    finally:
        if (close := getattr(chunks, "close", None)) is not None:
            await sync_to_async(close, thread_sensitive=thread_sensitive)()


def streaming_response(
    request: HttpRequest, chunks: Iterable, *, content_type: str, filename: str | None = None
) -> StreamingHttpResponse:
    """A response whose body is `chunks` (str or bytes), sent as produced, as an attachment if `filename`."""
    body = _pulled(iter(chunks), thread_sensitive=True) if is_asgi(request) else chunks
    response = StreamingHttpResponse(body, content_type=content_type)
    if filename:
        response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def file_response(
    request: HttpRequest, file: BinaryIO, *, filename: str, content_type: str
) -> FileResponse | StreamingHttpResponse:
    """An open binary file (read from its current position) as a download, closed once sent."""
    if not is_asgi(request):
        return FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)
    size = os.fstat(file.fileno()).st_size - file.tell()

    def blocks() -> Iterator[bytes]:
        try:
            while block := file.read(FILE_BLOCK):
                yield block
        finally:
            file.close()

    response = StreamingHttpResponse(_pulled(blocks(), thread_sensitive=False), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Length"] = str(size)
    return response
