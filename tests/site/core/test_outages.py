# ruff: noqa: F811  (fixtures imported from other test packages are used as arguments)
"""Redis down: every public journey keeps working, every accepted submission is shown as accepted.

Redis here is an address where nothing listens (connection refused), exactly what a stopped
Redis looks like to the platform. The cache, the rate limits and the Channels layer all point at it.
"""

import pytest
from django.test import override_settings

from consultations.models import Comment
from reports.codes import code_digest, normalise_code
from reports.models import Report
from tests.consultations.conftest import article_3, make_draft  # noqa: F401
from tests.reports.conftest import calendar  # noqa: F401
from tests.reports.test_report_views import FORM as REPORT

DEAD_REDIS = "redis://127.0.0.1:1/0"


def _a_comment_is_accepted(client, article_3, citizen):
    draft, article = article_3
    client.force_login(citizen)

    response = client.post(
        draft.url + "comment/",
        {"provision": article.pk, "stance": "amend", "text": "建议增加物业费公示。", "region": "110105"},
    )

    assert response.status_code == 302
    assert Comment.objects.count() == 1


@pytest.fixture
def redis_down():
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "core.cache.ResilientRedisCache",
                "LOCATION": DEAD_REDIS,
                "KEY_PREFIX": "sunshine",
            }
        },
        CHANNEL_LAYERS={
            "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [DEAD_REDIS]}}
        },
    ):
        yield


def test_a_reporter_sees_the_code_of_a_report_stored_while_redis_is_down(client, regions, calendar, redis_down):
    response = client.post("/reports/new/", REPORT)

    assert response.status_code == 200
    report = Report.objects.get()
    assert Report.objects.filter(code_digest=code_digest(normalise_code(response.context["code"]))).get() == report
    assert response.context["code"] in response.content.decode()


def test_following_up_works_while_redis_is_down(client, regions, calendar, redis_down):
    code = client.post("/reports/new/", REPORT).context["code"]

    wrong = client.post("/reports/check/", {"code": "0000-0000-0000-0000-0000"})
    right = client.post("/reports/check/", {"code": code})

    assert wrong.status_code == 400
    assert right.status_code == 302 and client.get("/reports/case/").status_code == 200


def test_wrong_codes_are_still_throttled_while_redis_is_down(client, regions, calendar, redis_down, settings):
    settings.REPORT_CODE_ATTEMPTS = (3, 3600)
    statuses = [client.post("/reports/check/", {"code": "0000-0000-0000-0000-0000"}).status_code for _ in range(5)]

    assert statuses[-1] == 429


def test_a_comment_is_accepted_while_redis_is_down(client, article_3, citizen, redis_down):
    _a_comment_is_accepted(client, article_3, citizen)


@pytest.mark.parametrize(
    "path", ["/", "/consultations/", "/petitions/", "/search/?q=物业", "/reports/new/", "/reports/check/"]
)
def test_public_pages_answer_while_redis_is_down(client, article_3, path, redis_down):
    assert client.get(path).status_code == 200


@pytest.fixture
def search_down():
    with override_settings(
        SEARCH_BACKEND={
            "BACKEND": "search.backends.elasticsearch.ElasticsearchBackend",
            "URL": "http://127.0.0.1:1",
            "INDEX_PREFIX": "sunshine",
        }
    ):
        yield


def test_search_says_it_is_unavailable_while_the_search_server_is_down(client, article_3, search_down):
    response = client.get("/search/?q=物业")

    assert response.status_code == 503
    assert "搜索暂时不可用" in response.content.decode()


def test_a_comment_is_accepted_while_the_search_server_is_down(client, article_3, citizen, search_down):
    _a_comment_is_accepted(client, article_3, citizen)


def test_a_reporter_sees_the_code_while_the_search_server_is_down(client, regions, calendar, search_down):
    response = client.post("/reports/new/", REPORT)

    assert response.status_code == 200 and Report.objects.count() == 1
    assert response.context["code"] in response.content.decode()


def test_live_events_are_dropped_with_one_line_while_redis_is_down(redis_down, caplog):
    from core.events import deliver_live_event

    delivered = deliver_live_event.call(["region.000000", "region.130000"], "report.received", {"id": 1})

    assert delivered == 0
    warnings = [record for record in caplog.records if "live event" in record.getMessage()]
    assert len(warnings) == 1 and warnings[0].exc_info is None


@pytest.mark.needs_redis
def test_a_mark_whose_reply_came_too_late_is_still_deleted_in_redis(monkeypatch):
    # given: a pending-run mark stored in Redis whose reply timed out (a loaded machine), so this process left
    # Redis alone for a while and its own memory stands in
    import os
    import uuid

    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache
    from redis.exceptions import TimeoutError as RedisTimeout

    from tests.conftest import require

    require(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set")
    cache = caches.create_connection("default")
    require(hasattr(cache, "degraded"), "the cache is not core.cache.ResilientRedisCache")
    key = f"tasks:pending:probe-{uuid.uuid4().hex}"
    real_add = RedisCache.add

    def add_then_time_out(self, *args, **kwargs):
        real_add(self, *args, **kwargs)
        raise RedisTimeout("Timeout reading from socket")

    monkeypatch.setattr(RedisCache, "add", add_then_time_out)
    assert cache.add(key, True, timeout=30)  # the fallback took it
    monkeypatch.setattr(RedisCache, "add", real_add)
    assert cache.degraded and RedisCache.get(cache, key) is True  # …and so did Redis

    # when: the run starts and deletes its mark
    cache.delete(key)

    # then: gone from Redis too, so the next write asks for a run of its own once Redis is back
    assert RedisCache.get(cache, key) is None
    cache._down_until = 0.0
    assert cache.add(key, True, timeout=30)
    cache.delete(key)


@pytest.mark.needs_redis
def test_clearing_the_cache_leaves_what_else_the_redis_database_holds():
    # given: this cache's keys and, in the same Redis database, keys of others (the channel layer's groups,
    # another test worker's cache)
    import os
    import uuid

    from django.core.cache import caches

    from tests.conftest import require

    require(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set")
    cache = caches.create_connection("default")
    require(hasattr(cache, "degraded") and cache.key_prefix, "the cache is not a prefixed ResilientRedisCache")
    client = cache._cache.get_client(None, write=True)
    other = f"elsewhere:{uuid.uuid4().hex}"
    client.set(other, b"1", ex=60)
    mine = [f"probe-{n}-{uuid.uuid4().hex}" for n in range(1500)]  # more than one UNLINK batch
    cache.set_many(dict.fromkeys(mine, 1), timeout=60)

    # when
    cache.clear()

    # then
    assert not any(cache.get_many(mine).values())
    assert client.get(other) == b"1"
    client.delete(other)
