"""Cluster mode (--cluster redis://...): several real roomkey processes
sharing rooms through one private redis-server. Members of one room sit on
different nodes; every publication must reach every member exactly once and in
one order, presence must be seen everywhere, a SIGKILLed node's members must
be reported gone, history must survive, and a Redis outage must never leave a
v2 client with a silent gap."""
import asyncio
import json
import time

import pytest

import v1
import v2
from redis_instance import RedisCluster, RedisInstance
from roomkey_server import RoomkeyServer
from v1 import recv_json


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def redis_server():
    instance = RedisInstance(aof=True).start()
    yield instance
    instance.destroy()


@pytest.fixture(scope="module")
def redis_cluster():
    """A 3-master Redis Cluster, made with redis-cli --cluster create."""
    cluster = RedisCluster(3).start()
    yield cluster
    cluster.destroy()


@pytest.fixture(params=["redis", "redis-cluster"])
def bus_url(request):
    """Tests that take this run on a single Redis and on a 3-master Redis Cluster."""
    if request.param == "redis":
        return request.getfixturevalue("redis_server").url
    return request.getfixturevalue("redis_cluster").url


@pytest.fixture
def nodes(request):
    """start(n, *flags) -> n roomkey nodes on the same Redis (bus_url if the
    test takes it, else a single private Redis)."""
    started = []
    url = request.getfixturevalue("bus_url") if "bus_url" in request.fixturenames else \
        request.getfixturevalue("redis_server").url

    def start(count, *flags, redis_url=None):
        made = []
        for _ in range(count):
            node = RoomkeyServer(None, "--cluster", redis_url or url, *flags)
            started.append(node)
            made.append(node.start())
        return made

    yield start
    for node in started:
        node.stop()
        print(f"--- node on port {node.port}:\n" + "".join(node.log_lines))  # shown when a test fails


async def publish(ws, data, ack_id=None):
    message = {"type": "message", "data": data}
    if ack_id is not None:
        message["id"] = ack_id
    await ws.send(json.dumps(message))


async def next_of_type(ws, kind, timeout=10):
    while True:
        message = await recv_json(ws, timeout=timeout)
        if message["type"] == kind:
            return message


def test_a_room_spans_three_nodes_every_message_everywhere_once_in_one_order(nodes, bus_url):
    a_node, b_node, c_node = nodes(3)

    async def scenario():
        a, joined_a = await v2.create(a_node.url, "ana")
        key = joined_a["join"]
        b, joined_b = await v2.join(b_node.url, "ben", key)
        assert await next_of_type(a, "presence") == {"type": "presence", "event": "join", "member": joined_b["you"]}
        c, joined_c = await v2.join(c_node.url, "cy", key)
        assert {m["person"] for m in joined_c["members"]} == {"ana", "ben", "cy"}
        for ws in (a, b):
            assert (await next_of_type(ws, "presence"))["member"] == joined_c["you"]
        # A v1 member on the second node too.
        d = await v1.join(b_node.url, "dan", key)
        for ws in (a, b, c):
            event = await next_of_type(ws, "presence")
            assert event["event"] == "join" and event["member"]["person"] == "dan"

        senders = {"ana": a, "ben": b, "cy": c}
        per_sender = 30
        sent = []
        for i in range(per_sender):
            for name, ws in senders.items():
                await publish(ws, f"{name}-{i}", ack_id=f"{name}{i}")
                sent.append(f"{name}-{i}")

        async def collect(ws, me, count):
            seen, acks = [], {}
            while len(seen) < count or len(acks) < per_sender:
                message = await recv_json(ws, timeout=15)
                if message["type"] == "message":
                    seen.append((message["offset"], message["data"]))
                elif message["type"] == "ack":
                    acks[message["id"]] = message["offset"]
            return seen, acks

        others = per_sender * 2
        results = await asyncio.gather(*(collect(ws, name, others) for name, ws in senders.items()))
        offsets_of = {}
        for (name, _), (seen, acks) in zip(senders.items(), results):
            offsets = [offset for offset, _ in seen]
            assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets), name  # in order, no duplicate
            assert not any(data.startswith(name + "-") for _, data in seen), "a member got its own message"
            assert len(seen) == others
            for offset, data in seen:
                assert offsets_of.setdefault(data, offset) == offset  # one offset per publication, everywhere
            for ack_id, offset in acks.items():
                assert offsets_of.setdefault(ack_id.replace(name, name + "-"), offset) == offset
        # Every publication has one offset, and together they are 1..N with no gap.
        assert sorted(offsets_of.values()) == list(range(1, len(sent) + 1))
        # The v1 member got all of them, in the same order.
        v1_seen = []
        while len(v1_seen) < len(sent):
            message = await recv_json(d, timeout=15)
            if "data" in message:
                v1_seen.append(message["data"])
        assert v1_seen == sorted(sent, key=lambda data: offsets_of[data])
        for ws in (a, b, c, d):
            await ws.close()
    run(scenario())


def test_leaving_on_one_node_is_seen_on_the_others(nodes, bus_url):
    a_node, b_node = nodes(2)

    async def scenario():
        a, joined_a = await v2.create(a_node.url, "ana")
        key = joined_a["join"]
        old = await v1.connect(b_node.url)
        await old.send(json.dumps({"type": "init", "person": "olga", "join": key}))
        await next_of_type(a, "presence")
        b, joined_b = await v2.join(b_node.url, "ben", key)
        await next_of_type(a, "presence")
        assert (await recv_json(old))["message"] == "ben Joined!"
        await b.close()
        left = await next_of_type(a, "presence")
        assert left == {"type": "presence", "event": "leave", "member": joined_b["you"], "reason": "closed"}
        assert await recv_json(old) == {"type": "connection_message", "message": "ben Disconnected!"}
        await a.send(json.dumps({"type": "presence"}))
        listed = await next_of_type(a, "presence")
        assert sorted(m["person"] for m in listed["members"]) == ["ana", "olga"]
        for ws in (a, old):
            await ws.close()
    run(scenario())


def test_history_and_resume_on_another_node(nodes, bus_url):
    a_node, b_node = nodes(2)

    async def scenario():
        a, joined_a = await v2.create(a_node.url, "ana")
        key = joined_a["join"]
        b, _ = await v2.join(a_node.url, "ben", key)
        await next_of_type(a, "presence")
        for i in range(5):
            await publish(a, i, ack_id=str(i))
        last = None
        for _ in range(5):
            last = await next_of_type(b, "message")
        # ben drops after offset 3 and comes back on the other node.
        await b.close()
        for i in range(5, 8):
            await publish(a, i)
        back = await v2.connect(b_node.url)
        await back.send(v2.init("ben", key, since={"epoch": joined_a["epoch"], "offset": 3}))
        joined = await recv_json(back)
        assert joined["type"] == "joined" and joined["recovered"] is True, joined
        assert [p["data"] for p in joined["missed"]] == [3, 4, 5, 6, 7]
        assert [p["offset"] for p in joined["missed"]] == [4, 5, 6, 7, 8]
        await publish(a, "after")
        assert (await next_of_type(back, "message"))["offset"] == 9
        for ws in (a, back):
            await ws.close()
    run(scenario())


def test_a_restarted_node_loses_no_history(nodes, bus_url):
    (a_node,) = nodes(1)

    async def scenario_before():
        a, joined = await v2.create(a_node.url, "ana")
        for i in range(4):
            await a.send(json.dumps({"type": "state", "data": {"n": i}, "id": str(i)}))
            await next_of_type(a, "ack")
        await a.close()
        return joined
    joined = run(scenario_before())
    a_node.kill()
    (again,) = nodes(1)

    async def scenario_after():
        ws = await v2.connect(again.url)
        await ws.send(v2.init("ana", joined["join"], since={"epoch": joined["epoch"], "offset": 1}))
        rejoined = await recv_json(ws)
        assert rejoined["recovered"] is True and rejoined["epoch"] == joined["epoch"]
        assert [p["data"] for p in rejoined["missed"]] == [{"n": 1}, {"n": 2}, {"n": 3}]
        assert [s["data"] for s in rejoined["state"]] == [{"n": 3}]
        await ws.close()
    run(scenario_after())


def test_members_of_a_killed_node_are_reported_gone_within_20_seconds(nodes, bus_url):
    a_node, b_node = nodes(2)

    async def scenario():
        a, joined_a = await v2.create(a_node.url, "ana")
        key = joined_a["join"]
        old = await v1.join(a_node.url, "olga", key, )
        await next_of_type(a, "presence")
        b, joined_b = await v2.join(b_node.url, "ben", key)
        await next_of_type(a, "presence")
        assert (await recv_json(old))["message"] == "ben Joined!"
        started = time.monotonic()
        b_node.kill()
        left = await next_of_type(a, "presence", timeout=25)
        assert left == {"type": "presence", "event": "leave", "member": joined_b["you"], "reason": "timeout"}
        assert time.monotonic() - started < 20
        assert await recv_json(old) == {"type": "connection_message", "message": "ben Disconnected!"}
        for ws in (a, old):
            await ws.close()
    run(scenario())


class Sequence:
    """What one v2 client has seen of its room's sequence: every publication
    (its own through their acks: it publishes with ids) must follow the last
    one's offset by exactly one, unless a reset came between. Raises on a
    silent gap or a duplicate."""

    def __init__(self, joined):
        self.epoch, self.offset = joined["epoch"], joined["offset"]
        self.data, self.resets = [], 0

    def see(self, message):
        if message["type"] == "reset":
            self.epoch, self.offset = message["epoch"], message["offset"]
            self.resets += 1
        elif "offset" in message and message["type"] in ("message", "state", "Location Data"):
            assert message["offset"] == self.offset + 1, (message, self.epoch, self.offset)
            self.offset = message["offset"]
            self.data.append(message["data"])
        elif message["type"] == "ack":
            assert message["offset"] == self.offset + 1, (message, self.epoch, self.offset)
            self.offset = message["offset"]
            self.data.append(message["id"])


def health(node):
    """/readyz: 503 while the bus is down (/healthz only says the process lives)."""
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{node.port}/readyz", timeout=5) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


async def drain(ws, sequence, seconds):
    """Reads for `seconds`, feeding the sequence check."""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        try:
            message = await recv_json(ws, timeout=left)
        except asyncio.TimeoutError:
            return
        sequence.see(message)


async def wait_for_data(ws, sequence, wanted, timeout):
    deadline = time.monotonic() + timeout
    while wanted not in sequence.data:
        left = deadline - time.monotonic()
        assert left > 0, f"{wanted!r} never arrived"
        try:
            message = await recv_json(ws, timeout=left)
        except asyncio.TimeoutError:
            raise AssertionError(f"{wanted!r} never arrived") from None
        sequence.see(message)


@pytest.mark.parametrize("outage", ["sigstop", "sigkill"])
def test_a_redis_outage_keeps_nodes_serving_locally_and_heals_without_a_silent_gap(nodes, redis_server, outage):
    a_node, b_node = nodes(2)

    async def scenario():
        a, joined_a = await v2.create(a_node.url, "ana")
        key = joined_a["join"]
        a2, joined_a2 = await v2.join(a_node.url, "amy", key)
        b, joined_b = await v2.join(b_node.url, "ben", key)
        old = await v1.join(a_node.url, "olga", key)  # a v1 member beside ana
        seq = {"a": Sequence(joined_a), "a2": Sequence(joined_a2), "b": Sequence(joined_b)}
        await drain(a, seq["a"], 0.3)
        await drain(a2, seq["a2"], 0.3)
        await drain(b, seq["b"], 0.3)
        await publish(a, "before", ack_id="before")
        await wait_for_data(b, seq["b"], "before", 5)
        await wait_for_data(a2, seq["a2"], "before", 5)
        assert health(a_node)[0] == 200

        if outage == "sigstop":
            redis_server.pause()
        else:
            redis_server.kill()
        # Clients keep sending; members on the same node keep hearing each other.
        for i in range(10):
            await publish(a, f"during-{i}", ack_id=f"during-{i}")
            await asyncio.sleep(0.5)
        await wait_for_data(a2, seq["a2"], "during-9", 10)
        # v1 members simply go on: no reset for them, every message of their node in order.
        v1_seen = []
        while "during-9" not in v1_seen:
            message = await recv_json(old, timeout=10)
            assert message.get("type") != "reset"
            if "data" in message:
                v1_seen.append(message["data"])
        assert v1_seen == ["before"] + [f"during-{i}" for i in range(10)]
        status, text = health(a_node)
        assert status == 503 and "Redis" in text, (status, text)
        # What needs Redis is refused, and the connection stays.
        creator = await v2.connect(b_node.url)
        await creator.send(v2.init("new"))
        refused = await recv_json(creator, timeout=10)
        assert refused["type"] == "error" and refused["code"] == "store_unavailable"

        if outage == "sigstop":
            redis_server.resume()
        else:
            redis_server.start()
        back_at = time.monotonic()
        # Cross-node delivery resumes by itself within 5 s.
        i = 0
        while True:
            await publish(a, f"after-{i}", ack_id=f"after-{i}")
            try:
                await wait_for_data(b, seq["b"], f"after-{i}", 0.5)
                break
            except AssertionError:
                i += 1
                assert time.monotonic() - back_at < 5 + 1, "cross-node delivery did not resume"
        await wait_for_data(a2, seq["a2"], f"after-{i}", 5)
        # Every v2 client saw a reset (its sequence was broken), never a silent gap.
        assert seq["b"].resets >= 1 and seq["a2"].resets >= 1
        deadline = time.monotonic() + 10  # the store retries its connection at most once a second
        while health(a_node)[0] != 200:  # /readyz asks the bus and the store
            assert time.monotonic() < deadline, "not ready again after Redis came back"
            await asyncio.sleep(0.2)
        while True:
            await creator.send(v2.init("new"))
            reply = await recv_json(creator, timeout=10)
            if reply["type"] == "joined":
                break
            assert reply["code"] == "store_unavailable" and time.monotonic() < deadline, reply
            await asyncio.sleep(0.3)
        # After the outage the room is one sequence again, seen alike on both nodes.
        await publish(b, "one order", ack_id="one order")
        await wait_for_data(a, seq["a"], "one order", 5)
        await wait_for_data(a2, seq["a2"], "one order", 5)
        assert seq["a"].epoch == seq["a2"].epoch == seq["b"].epoch
        for ws in (a, a2, b, old, creator):
            await ws.close()
    run(scenario())


def test_with_aof_a_redis_restart_keeps_rooms_and_history(nodes, redis_server):
    a_node, b_node = nodes(2)

    async def scenario():
        a, joined = await v2.create(a_node.url, "ana")
        key = joined["join"]
        for i in range(3):
            await publish(a, i, ack_id=str(i))
            await next_of_type(a, "ack")
        await a.close()
        redis_server.kill()
        redis_server.start()
        # A node that never had the room reads it (key, sequence, history) from the restarted Redis.
        deadline = time.monotonic() + 10
        while True:
            ws = await v2.connect(b_node.url)
            await ws.send(v2.init("ben", key, since={"epoch": joined["epoch"], "offset": 0}))
            reply = await recv_json(ws, timeout=10)
            if reply["type"] == "joined":
                break
            assert reply["code"] == "store_unavailable" and time.monotonic() < deadline
            await ws.close()
            await asyncio.sleep(0.3)
        assert reply["recovered"] is True and reply["epoch"] == joined["epoch"]
        assert [p["data"] for p in reply["missed"]] == [0, 1, 2]
        await ws.close()
    run(scenario())


def test_on_a_redis_cluster_rooms_spread_over_the_masters_each_in_one_slot(nodes, redis_cluster):
    a_node, b_node = nodes(2, redis_url=redis_cluster.url)

    async def scenario():
        keys = []
        for i in range(12):
            a, joined = await v2.create(a_node.url, f"p{i}")
            b, _ = await v2.join(b_node.url, f"q{i}", joined["join"])
            await next_of_type(a, "presence")
            await publish(b, i, ack_id="x")
            assert (await next_of_type(a, "message"))["data"] == i
            keys.append(joined["join"])
            for ws in (a, b):
                await ws.close()
        return keys
    keys = run(scenario())
    per_master = [set() for _ in redis_cluster.nodes]
    for index, node in enumerate(redis_cluster.nodes):
        for name in node.client().scan_iter("roomkey:{*}:*"):
            per_master[index].add(name.split("{", 1)[1].split("}", 1)[0])
    for key in keys:
        holders = [i for i, held in enumerate(per_master) if key in held]
        assert len(holders) == 1, (key, holders)  # every key of a room on one master
    assert sum(1 for held in per_master if held & set(keys)) >= 2  # and rooms on several masters


def test_a_node_sends_each_publication_once_and_hears_a_room_only_while_it_has_members(nodes, redis_server):
    a_node, b_node, c_node = nodes(3)
    redis = redis_server.client()

    def scripts_run():
        return redis.info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0)

    def subscribers(key):
        return redis.execute_command("PUBSUB", "SHARDNUMSUB", f"roomkey:{{{key}}}:bus")[1]

    async def scenario():
        a, joined = await v2.create(a_node.url, "ana")
        key = joined["join"]
        b, _ = await v2.join(b_node.url, "ben", key)
        c, _ = await v2.join(c_node.url, "cy", key)
        c2, _ = await v2.join(c_node.url, "cyd", key)
        for ws in (a, a, a, b, b):
            await next_of_type(ws, "presence")
        assert subscribers(key) == 3  # one subscription per node, whatever its members
        before = scripts_run()
        for i in range(20):
            await publish(a, i, ack_id=str(i))
        for _ in range(20):
            await next_of_type(a, "ack")
            await next_of_type(c, "message")
        # Once to Redis per publication, not once per node or per member.
        assert scripts_run() - before == 20
        # The last member on a node leaves: that node stops hearing the room.
        await b.close()
        await next_of_type(a, "presence")
        deadline = time.monotonic() + 5
        while subscribers(key) != 2:
            assert time.monotonic() < deadline, subscribers(key)
            await asyncio.sleep(0.05)
        await c.close()
        await next_of_type(a, "presence")
        await asyncio.sleep(0.3)
        assert subscribers(key) == 2  # c's node still has cyd
        for ws in (a, c2):
            await ws.close()
        deadline = time.monotonic() + 5
        while subscribers(key) != 0:
            assert time.monotonic() < deadline, subscribers(key)
            await asyncio.sleep(0.05)
    run(scenario())


def test_destroying_a_room_ends_it_on_every_node(nodes, bus_url):
    a_node, b_node = nodes(2)

    async def scenario():
        a, joined = await v2.create(a_node.url, "ana")
        key = joined["join"]
        b, _ = await v2.join(b_node.url, "ben", key)
        old = await v1.join(b_node.url, "olga", key)
        for ws in (a, a, b):
            await next_of_type(ws, "presence")
        await a.send(json.dumps({"type": "destroy", "join": key}))
        assert await next_of_type(a, "destroyed") == {"type": "destroyed", "join": key}
        assert await next_of_type(b, "destroyed", timeout=5) == {"type": "destroyed", "join": key}
        assert await recv_json(old, timeout=5) == {"type": "connection_message", "message": f"{key} Session Destroyed!"}
        late = await v1.connect(b_node.url)
        await late.send(json.dumps({"type": "init", "person": "late", "join": key}))
        await v1.expect_error_then_close(late, "Join Key Not Found!")
    run(scenario())


def test_the_http_api_answers_for_any_room_on_any_node(nodes, bus_url, tmp_path):
    """Create on one node, members on two others: each call works from any node."""
    from test_api import KEY, call
    key_file = tmp_path / "api.key"
    key_file.write_text(KEY + "\n")
    a_node, b_node, c_node = nodes(3, "--api-key-file", str(key_file))
    status, _, body = call(a_node, "POST", "/api/rooms", {"owner": "ops"})
    assert status == 201
    key = body["join"]

    async def scenario():
        ana = await v1.join(b_node.url, "ana", key)
        # A v1 join gets no reply: wait until it is in Redis, so that ana is in before ben.
        deadline = time.monotonic() + 10
        while not call(a_node, "GET", f"/api/rooms/{key}")[2]["members"]:
            assert time.monotonic() < deadline, "ana's join never reached Redis"
            await asyncio.sleep(0.05)
        ben, joined = await v2.join(c_node.url, "ben", key)
        await recv_json(ana)  # ben Joined!
        status, _, room = call(a_node, "GET", f"/api/rooms/{key}")
        assert status == 200 and room["owner"] == "ops"
        assert sorted(m["person"] for m in room["members"]) == ["ana", "ben"]
        assert room["epoch"] == joined["epoch"] and room["offset"] == 0

        status, _, body = call(a_node, "POST", f"/api/rooms/{key}/publish", {"data": {"n": 1}})
        assert status == 200 and body == {"offset": 1}
        assert await recv_json(ana) == {"type": "message", "person": "server", "data": {"n": 1}}
        message = await next_of_type(ben, "message")  # ana's presence may come first: her join raced ben's
        assert message["offset"] == 1 and message["data"] == {"n": 1} and message["from"] == "server"
        status, _, body = call(c_node, "POST", f"/api/rooms/{key}/publish", {"data": 2, "person": "ops"})
        assert status == 200 and body == {"offset": 2}
        assert (await recv_json(ana))["person"] == "ops"
        assert (await next_of_type(ben, "message"))["offset"] == 2

        status, _, history = call(b_node, "GET", f"/api/rooms/{key}/history?since=0")
        assert status == 200 and [(p["offset"], p["person"]) for p in history["publications"]] == \
            [(1, "server"), (2, "ops")]

        status, _, body = call(c_node, "POST", f"/api/rooms/{key}/kick", {"person": "ana"})
        assert status == 200 and body == {"kicked": 1}
        await v1.expect_error_then_close(ana, "Kicked: the server removed you from the room.")
        left = await next_of_type(ben, "presence")
        assert left["event"] == "leave" and left["member"]["person"] == "ana"

        status, _, _ = call(a_node, "DELETE", f"/api/rooms/{key}")
        assert status == 204
        assert await next_of_type(ben, "destroyed") == {"type": "destroyed", "join": key}
    run(scenario())
    assert call(b_node, "GET", f"/api/rooms/{key}")[0] == 404
