"""Loopback protocol pieces of the bench: a small HTTP/1.1 client and an SMTP sink.

The client is asyncio streams and the standard library only (no third-party HTTP client is a
dependency of the project, and a thin client leaves more of the two cores to the server).
Cookies are kept by hand because production cookies are `Secure` and the bench speaks plain
HTTP to 127.0.0.1 as a TLS-terminating proxy would.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

IDLE_RECONNECT_SECONDS = 3.0  # below the server's keep-alive (5 s): never reuse a connection it may be closing
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONFIRM_LINK = re.compile(r"/petitions/confirm/([^/\s]+)/")


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    seconds: float

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key == name), None)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def set_cookies(self) -> dict[str, str]:
        cookies = {}
        for key, value in self.headers:
            if key == "set-cookie":
                pair = value.split(";", 1)[0]
                name, _, cookie = pair.partition("=")
                cookies[name.strip()] = cookie.strip().strip('"')
        return cookies


class HttpError(Exception):
    """No answer: the connection failed, closed early or timed out."""


@dataclass
class Browser:
    """One simulated client: a keep-alive connection, its cookies and the headers a proxy adds."""

    host: str
    port: int
    timeout: float
    https: bool = True
    address: str = ""
    cookies: dict[str, str] = field(default_factory=dict)
    _reader: asyncio.StreamReader | None = None
    _writer: asyncio.StreamWriter | None = None
    _last_used: float = 0.0

    @property
    def origin(self) -> str:
        return f"{'https' if self.https else 'http'}://{self.host}:{self.port}"

    def forget(self) -> None:
        """A new person at the same client: no cookies."""
        self.cookies = {}

    async def get(self, path: str) -> Response:
        return await self.request("GET", path)

    async def post(self, path: str, form: dict[str, str]) -> Response:
        body = urlencode(form).encode("utf-8")
        return await self.request(
            "POST",
            path,
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin, "Referer": self.origin + path},
        )

    async def request(self, method: str, path: str, body: bytes = b"", extra: dict[str, str] | None = None) -> Response:
        headers = {
            "Host": f"{self.host}:{self.port}",
            "User-Agent": "sunshine-bench",
            "Accept": "text/html",
            "Accept-Language": "zh-CN,zh;q=0.9",
        }
        if self.https:
            headers["X-Forwarded-Proto"] = "https"
        if self.address:
            headers["X-Forwarded-For"] = self.address
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        headers.update(extra or {})
        if body or method == "POST":
            headers["Content-Length"] = str(len(body))
        started = time.perf_counter()
        try:
            status, answer_headers, answer = await asyncio.wait_for(
                self._exchange(method, path, headers, body), timeout=self.timeout
            )
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, HttpError) as error:
            self.close()
            raise HttpError(f"{type(error).__name__}: {error}") from error
        response = Response(status, answer_headers, answer, time.perf_counter() - started)
        for name, value in response.set_cookies().items():
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return response

    async def _exchange(self, method: str, path: str, headers: dict[str, str], body: bytes):
        if (
            self._writer is None
            or self._reader is None
            or self._reader.at_eof()
            or time.monotonic() - self._last_used > IDLE_RECONNECT_SECONDS
        ):
            self.close()
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._reader, self._writer
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        writer.write(head.encode("latin-1") + body)
        await writer.drain()
        status_line = await reader.readline()
        if not status_line:
            raise HttpError("connection closed before an answer")
        parts = status_line.decode("latin-1").split(" ", 2)
        status = int(parts[1])
        answer_headers: list[tuple[str, str]] = []
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            answer_headers.append((name.strip().lower(), value.strip()))
        lookup = dict(answer_headers)
        if lookup.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await reader.readline()).split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
            answer = b"".join(chunks)
        elif "content-length" in lookup:
            answer = await reader.readexactly(int(lookup["content-length"]))
        elif status in (204, 304) or method == "HEAD":
            answer = b""
        else:
            answer = await reader.read()
            self.close()
        if lookup.get("connection", "").lower() == "close":
            self.close()
        self._last_used = time.monotonic()
        return status, answer_headers, answer

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


def csrf_token(response: Response, browser: Browser) -> str:
    """The form's CSRF token, or the cookie's secret (which Django also accepts)."""
    found = CSRF_FIELD.search(response.text)
    if found:
        return found.group(1)
    return browser.cookies.get("csrftoken", "")


class MailSink:
    """An SMTP server on 127.0.0.1 that keeps the petition confirmation link of each recipient."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}
        self.messages = 0
        self._waiting: dict[str, asyncio.Future[str]] = {}
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def wait_for(self, address: str, timeout: float) -> str | None:
        """The confirmation token mailed to `address`, waiting up to `timeout` seconds."""
        address = address.lower()
        if address in self.tokens:
            return self.tokens[address]
        future = self._waiting.setdefault(address, asyncio.get_running_loop().create_future())
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            return None

    def _delivered(self, recipients: list[str], data: bytes) -> None:
        self.messages += 1
        message = email.message_from_bytes(data, policy=email.policy.default)
        part = message.get_body(preferencelist=("plain",)) if message.is_multipart() else message
        found = CONFIRM_LINK.search(part.get_content() if part is not None else "")
        if not found:
            return
        for recipient in recipients:
            self.tokens[recipient] = found.group(1)
            future = self._waiting.pop(recipient, None)
            if future is not None and not future.done():
                future.set_result(found.group(1))

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def say(line: str) -> None:
            writer.write(line.encode("ascii") + b"\r\n")

        recipients: list[str] = []
        say("220 bench ESMTP")
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                command = line.decode("utf-8", "replace").strip()
                verb = command[:4].upper()
                if verb == "EHLO":
                    say("250-bench")
                    say("250 8BITMIME")
                elif verb == "HELO":
                    say("250 bench")
                elif verb == "MAIL":
                    recipients = []
                    say("250 OK")
                elif verb == "RCPT":
                    found = re.search(r"<([^>]*)>", command)
                    recipients.append((found.group(1) if found else command[8:]).strip().lower())
                    say("250 OK")
                elif verb == "DATA":
                    say("354 End data with <CR><LF>.<CR><LF>")
                    await writer.drain()
                    lines = []
                    while True:
                        data = await reader.readline()
                        if not data or data in (b".\r\n", b".\n"):
                            break
                        lines.append(data[1:] if data.startswith(b"..") else data)
                    self._delivered(recipients, b"".join(lines))
                    say("250 OK")
                elif verb == "QUIT":
                    say("221 Bye")
                    await writer.drain()
                    break
                else:  # RSET, NOOP and anything else
                    say("250 OK")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
