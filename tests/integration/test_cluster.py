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
from redis_instance import RedisInstance
from roomkey_server import RoomkeyServer
from v1 import recv_json


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def redis_server():
    instance = RedisInstance(aof=True).start()
    yield instance
    instance.destroy()


@pytest.fixture
def nodes(redis_server):
    """start(n, *flags) -> n roomkey nodes on the same Redis."""
    started = []

    def start(count, *flags, redis_url=None):
        made = []
        for _ in range(count):
            node = RoomkeyServer(None, "--cluster", redis_url or redis_server.url, *flags)
            started.append(node)
            made.append(node.start())
        return made

    yield start
    for node in started:
        node.stop()


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


def test_a_room_spans_three_nodes_every_message_everywhere_once_in_one_order(nodes):
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


def test_leaving_on_one_node_is_seen_on_the_others(nodes):
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


def test_history_and_resume_on_another_node(nodes):
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


def test_a_restarted_node_loses_no_history(nodes):
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


def test_members_of_a_killed_node_are_reported_gone_within_20_seconds(nodes):
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
