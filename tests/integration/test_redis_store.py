"""The Redis room store (--store redis://...): keys and their metadata in
Redis, URL forms and credentials, Redis's own persistence (AOF) across a
Redis restart, key expiry for --room-ttl, and outages: Redis killed, and
Redis stopped (SIGSTOP) so that it is silent rather than gone. Every Redis
here is a private redis-server in a temp dir on its own port."""
import asyncio
import json
import subprocess
import time

import pytest
import redis

import v1
import v2
from redis_instance import RedisCluster, RedisInstance
from roomkey_server import BINARY, RoomkeyServer
from v1 import recv_json

STORE_DOWN_CREATE = "Room store unavailable: the room was not created, try again."
STORE_DOWN_JOIN = "Room store unavailable: could not look up the join key, try again."


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def redis_server():
    """With AOF (fsync always), so that a killed Redis comes back with its rooms."""
    instance = RedisInstance(aof=True).start()
    yield instance
    instance.destroy()


@pytest.fixture
def servers():
    started = []

    def make(spec, *args, env=None):
        srv = RoomkeyServer(spec, *args)
        started.append(srv)
        return srv.start() if env is None else start_with_env(srv, env)

    yield make
    for srv in started:
        srv.stop()


def start_with_env(srv, env):
    import os
    old = dict(os.environ)
    os.environ.update(env)
    try:
        return srv.start()
    finally:
        os.environ.clear()
        os.environ.update(old)


def room_hash(instance, key):
    return instance.client().hgetall(f"roomkey:{{{key}}}:room")


async def create_until_it_works(url, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        ws = await v1.connect(url)
        await ws.send(json.dumps({"type": "init", "person": "retry"}))
        reply = await recv_json(ws, timeout=8)
        await ws.close()
        if reply["type"] == "init":
            return reply["join"]
        assert reply == {"type": "error", "message": STORE_DOWN_CREATE}
        assert time.monotonic() < deadline, "the Redis store never recovered"
        await asyncio.sleep(0.2)


async def expect_error_and_open(ws, message, timeout=8):
    assert await recv_json(ws, timeout=timeout) == {"type": "error", "message": message}
    assert ws.open


def test_rooms_live_in_redis_with_owner_creation_and_last_use(redis_server, servers):
    srv = servers(redis_server.url, "--room-ttl", "0")

    async def scenario():
        key, (a, b) = await v1.room(srv.url, "ana", "ben")
        row = room_hash(redis_server, key)
        assert row["owner"] == "ana"
        assert abs(int(row["created_at"]) - time.time()) < 30
        assert row["last_used"] == row["created_at"]
        assert redis_server.client().ttl(f"roomkey:{{{key}}}:room") == -1  # --room-ttl 0: kept for ever
        for ws in (a, b):
            await ws.close()
        return key
    key = run(scenario())

    # Another process wrote a room: roomkey finds it.
    redis_server.client().hset("roomkey:{from-elsewhere}:room", mapping={"owner": "", "created_at": 0})
    run(v1.room_by_key(srv.url, "from-elsewhere", "cy", "dan"))

    # A restart of roomkey loses nothing: the rooms are Redis's.
    srv.stop()
    srv = servers(redis_server.url)
    run(v1.room_by_key(srv.url, key, "eve", "fay"))


def test_destroy_removes_the_room_from_redis(redis_server, servers):
    srv = servers(redis_server.url)

    async def scenario():
        key, (a, b) = await v1.room(srv.url, "ana", "ben")
        await a.send(json.dumps({"type": "destroy", "join": key}))
        for ws in (a, b):
            assert await recv_json(ws) == {"type": "connection_message", "message": f"{key} Session Destroyed!"}
        assert room_hash(redis_server, key) == {}
        late = await v1.connect(srv.url)
        await late.send(json.dumps({"type": "init", "person": "late", "join": key}))
        await v1.expect_error_then_close(late, "Join Key Not Found!")
    run(scenario())


def test_room_ttl_is_redis_key_expiry_renewed_by_joins(redis_server, servers):
    srv = servers(redis_server.url, "--room-ttl", "3600")

    async def scenario():
        key, (a,) = await v1.room(srv.url, "ana")
        await a.close()
        return key
    key = run(scenario())
    name = f"roomkey:{{{key}}}:room"
    assert 3500 < redis_server.client().ttl(name) <= 3600
    redis_server.client().expire(name, 1)  # as if an hour had passed
    time.sleep(1.5)
    assert room_hash(redis_server, key) == {}  # Redis dropped it: nothing to sweep


def test_url_forms_and_credentials(servers, tmp_path):
    secured = RedisInstance(password="s3cret pass").start()
    try:
        # The password in the URL, %-escaped; the unix socket form; a database number.
        url = f"redis://:s3cret%20pass@127.0.0.1:{secured.port}/3"
        srv = servers(url)
        run(v1.assert_server_still_serves(srv.url))
        assert secured.client().dbsize() == 0  # nothing in database 0
        in_db3 = redis.Redis(port=secured.port, password="s3cret pass", db=3, decode_responses=True)
        assert list(in_db3.scan_iter("roomkey:{*}:room"))
        srv2 = servers(f"redis+unix://:s3cret%20pass@{secured.socket}?db=3")
        run(v1.assert_server_still_serves(srv2.url))
        # The password from the environment or a file, when the URL has none.
        bare = f"redis://127.0.0.1:{secured.port}"
        srv3 = servers(bare, env={"ROOMKEY_STORE_PASSWORD": "s3cret pass"})
        run(v1.assert_server_still_serves(srv3.url))
        secret = tmp_path / "password"
        secret.write_text("s3cret pass\n")
        srv4 = servers(bare, "--store-password-file", str(secret))
        run(v1.assert_server_still_serves(srv4.url))

        # A refused password is a clear error at startup, exit 1 (Redis refused: not a usage error).
        result = subprocess.run([BINARY, "serve", "--port", "0", "--store",
                                 f"redis://:wrong@127.0.0.1:{secured.port}"],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 1, result.stderr
        assert "refused" in result.stderr and "WRONGPASS" in result.stderr
        assert "wrong" not in result.stderr.replace("WRONGPASS", "").replace("wrong password", "")
    finally:
        secured.destroy()


@pytest.mark.parametrize("url, complaint", [
    ("redis://", "empty host"),
    ("redis://127.0.0.1:99999", "port"),
    ("redis://127.0.0.1:6379/x", "database"),
    ("redis+unix://relative.sock", "absolute"),
    ("redis://user@127.0.0.1", "':'"),
])
def test_bad_redis_urls_are_a_clear_error_and_exit_2(url, complaint):
    result = subprocess.run([BINARY, "serve", "--port", "0", "--store", url],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "bad Redis URL" in result.stderr and complaint in result.stderr, result.stderr


def test_with_aof_rooms_survive_a_redis_kill_and_restart(servers):
    instance = RedisInstance(aof=True).start()
    try:
        srv = servers(instance.url)

        async def make_rooms():
            keys = []
            for i in range(20):
                ws, key = await v1.create(srv.url, f"p{i}")
                await ws.close()
                keys.append(key)
            return keys
        keys = run(make_rooms())
        instance.kill()  # right after the acks: appendfsync always has them on disk
        instance.start()
        srv.stop()
        srv = servers(instance.url)

        async def join_all():
            for key in keys:
                await v1.room_by_key(srv.url, key, "x", "y")
        run(join_all())
    finally:
        instance.destroy()


@pytest.mark.parametrize("outage", ["kill", "sigstop"])
def test_an_outage_keeps_rooms_in_memory_alive_and_heals_by_itself(redis_server, servers, outage):
    srv = servers(redis_server.url)

    async def scenario():
        key, (a, b) = await v1.room(srv.url, "ana", "ben")
        dormant, (d,) = await v1.room(srv.url, "dormant")
        await d.close()

        if outage == "kill":
            redis_server.kill()
        else:
            redis_server.pause()

        # Rooms in memory keep working, joins of them too.
        await a.send(json.dumps({"type": "message", "data": "during the outage"}))
        assert (await recv_json(b))["data"] == "during the outage"
        c = await v1.join(srv.url, "cy", key, a, b)

        # A create is refused, never acknowledged; the connection stays. A
        # silent Redis is given up on after the I/O timeout (3 s).
        creator = await v1.connect(srv.url)
        await creator.send(json.dumps({"type": "init", "person": "new"}))
        joiner = await v1.connect(srv.url)
        await joiner.send(json.dumps({"type": "init", "person": "late", "join": dormant}))
        # Meanwhile the room in memory is not held up by the store's wait.
        await a.send(json.dumps({"type": "message", "data": "still here"}))
        assert (await recv_json(b, timeout=1))["data"] == "still here"
        await expect_error_and_open(creator, STORE_DOWN_CREATE)
        await expect_error_and_open(joiner, STORE_DOWN_JOIN)

        if outage == "kill":
            redis_server.start()
        else:
            redis_server.resume()

        key2 = await create_until_it_works(srv.url)
        assert room_hash(redis_server, key2)["owner"] == "retry"
        await joiner.send(json.dumps({"type": "init", "person": "late", "join": dormant}))
        await v1.assert_silent(joiner, 0.2)
        for ws in (a, b, c, creator, joiner):
            await ws.close()
    run(scenario())


def test_a_server_started_while_redis_is_down_starts_and_recovers(redis_server, servers):
    redis_server.kill()
    srv = servers(redis_server.url)
    assert any("unreachable" in line for line in srv.log_lines), srv.log_lines
    redis_server.start()
    key = run(create_until_it_works(srv.url))
    assert room_hash(redis_server, key)["owner"] == "retry"


def test_v2_clients_on_the_redis_store(redis_server, servers):
    srv = servers(redis_server.url)

    async def scenario():
        a, joined = await v2.create(srv.url, "ana")
        assert joined["owner"] is True
        b, joined_b = await v2.join(srv.url, "ben", joined["join"])
        assert joined_b["owner"] is False
        for ws in (a, b):
            await ws.close()
    run(scenario())


def test_on_a_redis_cluster_each_room_goes_to_the_master_of_its_slot(servers):
    cluster = RedisCluster(3).start()
    try:
        srv = servers(cluster.url, "--max-rooms", "1000")
        assert "Redis Cluster" in "".join(srv.log_lines)

        async def scenario():
            keys = []
            for i in range(15):
                ws, key = await v1.create(srv.url, f"p{i}")
                await ws.close()
                keys.append(key)
            for key in keys[:3]:
                await v1.room_by_key(srv.url, key, "x", "y")
            return keys
        keys = run(scenario())
        held = [{name.split("{", 1)[1].split("}", 1)[0] for name in node.client().scan_iter("roomkey:{*}:room")}
                for node in cluster.nodes]
        assert set(keys) <= set().union(*held)
        assert sum(1 for h in held if h & set(keys)) >= 2  # spread over the masters
        # A database number is refused by a cluster: a clear error, exit 1.
        result = subprocess.run([BINARY, "serve", "--port", "0", "--store", cluster.url + "/2"],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 1 and "SELECT" in result.stderr, result.stderr
    finally:
        cluster.destroy()
