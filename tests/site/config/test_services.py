"""PostgreSQL and Redis are used for real where they are configured (always in CI)."""

import os
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connection

from tests.conftest import require


@pytest.mark.needs_postgres
def test_the_database_is_postgresql(db):
    require(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")

    with connection.cursor() as cursor:
        cursor.execute("select current_setting('server_version_num')::int")
        assert cursor.fetchone()[0] >= 130000


@pytest.mark.needs_redis
def test_the_channel_layer_and_cache_use_redis():
    require(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set")
    layer = get_channel_layer()
    assert type(layer).__name__ == "RedisChannelLayer"

    # a message sent to a group arrives through the Redis server
    channel = async_to_sync(layer.new_channel)()
    group = f"test.{uuid.uuid4().hex}"
    async_to_sync(layer.group_add)(group, channel)
    async_to_sync(layer.group_send)(group, {"type": "live.event", "event": "ping", "payload": {}})
    assert async_to_sync(layer.receive)(channel)["event"] == "ping"

    key = f"test:{uuid.uuid4().hex}"
    cache.set(key, "阳光", 30)
    assert cache.get(key) == "阳光"
    from django.core.cache.backends.redis import RedisCacheClient

    assert isinstance(cache._cache, RedisCacheClient)  # core.cache.ReusedClients: one redis-py client per pool
    assert cache._cache.get_client(key) is cache._cache.get_client(key)


@pytest.mark.needs_redis
def test_a_socket_with_nothing_to_receive_stays_open():
    # redis-py 8 reads with a 5 s timeout by default, and the channel layer blocks 5 s on Redis for a message:
    # every idle WebSocket was torn down ("Timeout reading from …") and the browser reconnected, missing events
    import asyncio

    require(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set")
    layer = get_channel_layer()

    async def wait_idle():
        channel = await layer.new_channel()
        try:
            await asyncio.wait_for(layer.receive(channel), timeout=layer.brpop_timeout + 1.5)
        except TimeoutError:
            return "still waiting"  # nothing came, and the wait did not fail
        return "received"

    assert async_to_sync(wait_idle)() == "still waiting"
