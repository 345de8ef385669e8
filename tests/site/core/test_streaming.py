"""core.streaming: under ASGI a download is pulled a chunk at a time (Django would gather a synchronous
iterator into a list first); under WSGI it is the plain iterator or FileResponse."""

from asgiref.sync import async_to_sync
from django.http import FileResponse
from django.test import AsyncRequestFactory, RequestFactory

from core import streaming


def _chunks(pulled: list, closed: list):
    try:
        for n in range(5):
            pulled.append(n)
            yield f"{n},"
    finally:
        closed.append(True)


def test_under_asgi_chunks_are_pulled_one_at_a_time():
    pulled, closed = [], []
    response = streaming.streaming_response(
        AsyncRequestFactory().get("/"), _chunks(pulled, closed), content_type="text/csv", filename="意见.csv"
    )
    assert response.is_async
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")

    async def first_two():
        body = aiter(response.streaming_content)
        parts = [await anext(body), await anext(body)]
        await body.aclose()  # the client went away
        return parts

    assert async_to_sync(first_two)() == [b"0,", b"1,"]
    assert pulled == [0, 1]  # nothing read ahead of what was sent
    assert closed == [True]


def test_under_asgi_a_file_is_sent_in_blocks_and_closed(tmp_path, monkeypatch):
    monkeypatch.setattr(streaming, "FILE_BLOCK", 4)
    path = tmp_path / "open-data.csv"
    path.write_bytes(b"id,text\n1,abc\n")
    file = path.open("rb")

    response = streaming.file_response(
        AsyncRequestFactory().get("/"), file, filename="open-data.csv", content_type="text/csv"
    )

    async def body():
        return [part async for part in response.streaming_content]

    parts = async_to_sync(body)()
    assert response.is_async and response["Content-Length"] == "14"
    assert response["Content-Disposition"] == 'attachment; filename="open-data.csv"'
    assert b"".join(parts) == b"id,text\n1,abc\n" and len(parts) == 4
    assert file.closed


def test_under_wsgi_the_iterator_and_file_response_as_they_are(tmp_path):
    request = RequestFactory().get("/")
    response = streaming.streaming_response(request, iter(["a", "b"]), content_type="text/csv")
    assert not response.is_async and b"".join(response.streaming_content) == b"ab"
    path = tmp_path / "x.csv"
    path.write_bytes(b"x")
    with path.open("rb") as file:
        response = streaming.file_response(request, file, filename="x.csv", content_type="text/csv")
        assert isinstance(response, FileResponse)
        assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
