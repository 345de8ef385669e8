"""The load bench's pure parts: statistics, targets, the JSON last line, and its loopback protocol pieces.

The bench itself (python -m bench.load) is run by people, not by the test suite.
"""

import asyncio
import json
import os
import smtplib
import subprocess
import sys
from email.message import EmailMessage

from bench.client import Browser, MailSink, Response, csrf_token
from bench.load import Addresses, parse
from bench.services import process_tree_cpu
from bench.stats import Level, json_line, percentile, table, targets


def test_percentile_is_nearest_rank():
    values = [float(n) for n in range(1, 101)]

    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile([3.0, 1.0, 2.0, 4.0], 50) == 2.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def level(scenario, clients, *, accepted, seconds, latencies, statuses, stored, lost=0, codes_shown=None):
    result = Level(scenario=scenario, clients=clients, elapsed=seconds, accepted=accepted)
    for status, latency in zip(statuses, latencies, strict=True):
        result.answer(status, latency, submit=True)
    result.stored, result.lost, result.unanswered, result.codes_shown = stored, lost, 0, codes_shown
    return result.summary()


def test_summary_counts_5xx_and_429_apart_and_reports_milliseconds():
    given = level(
        "comments",
        10,
        accepted=3,
        seconds=2.0,
        latencies=[0.1, 0.2, 0.3, 0.4, 0.5],
        statuses=[302, 302, 302, 429, 502],
        stored=3,
    )

    assert given["accepted_per_s"] == 1.5
    assert given["p50_ms"] == 300.0
    assert given["p95_ms"] == 500.0
    assert given["status_5xx"] == 1
    assert given["status_429"] == 1
    assert given["statuses"] == {"302": 3, "429": 1, "502": 1}


def test_targets_need_no_5xx_no_loss_every_code_shown_and_the_comment_rate():
    good = [
        level("comments", 50, accepted=2400, seconds=20, latencies=[0.2] * 20, statuses=[302] * 20, stored=2400),
        level("reports", 50, accepted=10, seconds=20, latencies=[0.2], statuses=[200], stored=10, codes_shown=10),
    ]
    assert all(targets(good, server="production").values())

    slow = [level("comments", 50, accepted=1000, seconds=20, latencies=[1.5], statuses=[302], stored=1000)]
    assert targets(slow, server="production")["comments_100_per_s_p95_under_1s_at_50"] is False

    code_missing = [
        level("reports", 1, accepted=5, seconds=5, latencies=[0.1], statuses=[200], stored=6, codes_shown=5)
    ]
    assert targets(code_missing, server="production")["every_stored_report_code_shown"] is False

    lost = [level("comments", 1, accepted=5, seconds=5, latencies=[0.1], statuses=[302], stored=4, lost=1)]
    assert targets(lost, server="dev") == {
        "zero_5xx": True,
        "zero_lost": False,
        "every_stored_report_code_shown": None,
        "comments_100_per_s_p95_under_1s_at_50": None,
    }


def test_the_last_line_is_one_json_object_and_the_table_has_a_row_per_level():
    summaries = [level("reports", 1, accepted=2, seconds=1, latencies=[0.1], statuses=[200], stored=2, codes_shown=2)]
    result = {"levels": summaries, "note": "举报"}

    line = json_line(result)

    assert "\n" not in line
    assert json.loads(line) == result
    assert table(summaries).count("\n") == 2


def test_every_simulated_person_gets_another_benchmarking_address():
    addresses = Addresses()

    taken = [addresses.take() for _ in range(1000)]

    assert len(set(taken)) == 1000
    assert all(address.startswith(("198.18.", "198.19.")) for address in taken)


def test_faults_need_the_production_stack():
    assert parse(["--fault", "redis"]).fault == "redis"
    try:
        parse(["--server", "dev", "--fault", "redis"])
    except SystemExit as exit:
        assert exit.code == 2
    else:
        raise AssertionError("--fault with the dev server was accepted")


def test_cookies_and_csrf_token_are_read_from_the_answer():
    browser = Browser("127.0.0.1", 1, 1.0)
    answer = Response(
        200,
        [("set-cookie", "csrftoken=abc; Path=/; Secure"), ("set-cookie", 'sessionid=""; Max-Age=0')],
        b'<input type="hidden" name="csrfmiddlewaretoken" value="masked-token">',
        0.01,
    )

    assert answer.set_cookies() == {"csrftoken": "abc", "sessionid": ""}
    assert csrf_token(answer, browser) == "masked-token"
    browser.cookies["csrftoken"] = "abc"
    assert csrf_token(Response(200, [], b"<p>no form</p>", 0.01), browser) == "abc"


async def test_browser_reads_chunked_answers_and_keeps_cookies():
    requests = []

    async def serve(reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        requests.append(head.decode())
        writer.write(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nSet-Cookie: csrftoken=s3cret; Secure\r\n\r\n"
            b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    browser = Browser("127.0.0.1", port, 5.0, address="198.18.0.7")
    try:
        answer = await browser.get("/reports/new/")
    finally:
        browser.close()
        server.close()
        await server.wait_closed()

    assert (answer.status, answer.body) == (200, b"hello world")
    assert browser.cookies == {"csrftoken": "s3cret"}
    assert "X-Forwarded-Proto: https" in requests[0]
    assert "X-Forwarded-For: 198.18.0.7" in requests[0]


async def test_mail_sink_keeps_each_recipients_confirmation_token():
    sink = MailSink()
    await sink.start()
    message = EmailMessage()
    message["From"] = "noreply@sunshine.localhost"
    message["To"] = "person@m1.bench.example"
    message["Subject"] = "请确认您的签名"
    message.set_content("请打开以下链接确认签名：\nhttps://127.0.0.1:8000/petitions/confirm/Tok_en-123/\n")

    def send():
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=5) as smtp:
            smtp.send_message(message)

    try:
        waiting = asyncio.create_task(sink.wait_for("Person@m1.bench.example", timeout=5))
        await asyncio.to_thread(send)
        token = await waiting
    finally:
        await sink.stop()

    assert token == "Tok_en-123"
    assert sink.messages == 1


def test_cpu_of_a_process_tree_includes_its_children():
    child = subprocess.Popen(  # burns 0.3 s of CPU, says so, then waits
        [
            sys.executable,
            "-c",
            "import time\nwhile time.process_time() < 0.3: pass\nprint('done', flush=True)\ntime.sleep(30)",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        child.stdout.readline()

        used = process_tree_cpu(os.getpid())
    finally:
        child.kill()
        child.wait()

    assert used >= 0.25
