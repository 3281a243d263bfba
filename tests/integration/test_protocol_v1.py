"""Protocol v1 end to end: every row of the protocol tables, against the real
binary, with python3-websockets as the client."""
import asyncio
import json

import pytest

import v1
from v1 import recv_json, assert_silent


def run(coro):
    return asyncio.run(coro)


def test_init_without_key_creates_a_room_with_a_fresh_unguessable_key(server):
    async def scenario():
        a, key_a = await v1.create(server.url, "ana")
        b, key_b = await v1.create(server.url, "ana")
        assert key_a != key_b
        await assert_silent(a)
        await a.close(); await b.close()
    run(scenario())


def test_joining_tells_the_others_and_not_the_joiner(server):
    async def scenario():
        key, (a, b) = await v1.room(server.url, "ana", "ben")
        c = await v1.join(server.url, "cy", key, a, b)
        await assert_silent(c)
        for ws in (a, b, c):
            await ws.close()
    run(scenario())


def test_joining_an_unknown_key_is_an_error_and_a_close(server):
    async def scenario():
        ws = await v1.connect(server.url)
        await ws.send(json.dumps({"type": "init", "person": "x", "join": "no-such-room-key-anywhere"}))
        await v1.expect_error_then_close(ws, "Join Key Not Found!")
        assert ws.close_code == 1000
    run(scenario())


@pytest.mark.parametrize("first", [
    json.dumps({"type": "Location Data", "person": "x", "latitude": 1, "longitude": 2}),
    json.dumps({"type": "message", "data": 1}),
    json.dumps({"type": "init"}),
    json.dumps({"type": "init", "person": 42}),
    json.dumps({"type": "init", "person": None}),
    json.dumps({"type": "init", "person": "x", "join": 5}),
    json.dumps({"person": "x"}),
    json.dumps(["init"]),
    "{not json",
    "",
    b"\x00\x01binary",
], ids=["location-first", "message-first", "no-person", "numeric-person", "null-person", "numeric-join",
        "no-type", "array", "malformed", "empty", "binary"])
def test_anything_but_init_first_is_invalid_format_and_a_close(server, first):
    async def scenario():
        ws = await v1.connect(server.url)
        await ws.send(first)
        await v1.expect_error_then_close(ws, "Invalid message format.")
    run(scenario())


def test_location_data_reaches_the_others_under_the_senders_own_name(server):
    async def scenario():
        key, (a, b, c) = await v1.room(server.url, "ana", "ben", "cy")
        await b.send('{"type":"Location Data","person":"mallory","latitude":37.774912345678901234,'
                     '"longitude":-122.4194e0}')
        for ws in (a, c):
            raw = await v1.recv_raw(ws)
            assert raw == ('{"type":"Location Data","person":"ben","latitude":37.774912345678901234,'
                           '"longitude":-122.4194e0}')
        await assert_silent(b)
        for ws in (a, b, c):
            await ws.close()
    run(scenario())


@pytest.mark.parametrize("data", [
    "hello", 42, -1.5, None, True, [1, "two", {"three": 3}], {"nested": {"deep": [None, False]}}, "",
    "quotes \" and \\ and \u00e9\u20ac\U0001F600",
])
def test_message_relays_any_json_value_as_sent(server, data):
    async def scenario():
        key, (a, b) = await v1.room(server.url, "ana", "ben")
        await a.send(json.dumps({"type": "message", "data": data}))
        assert await recv_json(b) == {"type": "message", "person": "ana", "data": data}
        await assert_silent(a)
        await a.close(); await b.close()
    run(scenario())


def test_rooms_never_leak_into_each_other(server):
    async def scenario():
        rooms = [await v1.room(server.url, *[f"r{r}m{m}" for m in range(4)]) for r in range(5)]
        for r, (_, members) in enumerate(rooms):
            for m, ws in enumerate(members):
                await ws.send(json.dumps({"type": "message", "data": [r, m]}))
        for r, (_, members) in enumerate(rooms):
            for m, ws in enumerate(members):
                got = sorted([tuple((await recv_json(ws))["data"]) for _ in range(3)])
                assert got == [(r, other) for other in range(4) if other != m]
                await assert_silent(ws, 0.05)
        for _, members in rooms:
            for ws in members:
                await ws.close()
    run(scenario())


def test_destroying_your_own_room_tells_everyone_closes_them_and_forgets_the_key(server):
    async def scenario():
        key, (a, b, c) = await v1.room(server.url, "ana", "ben", "cy")
        await b.send(json.dumps({"type": "destroy", "join": key}))
        for ws in (a, b, c):
            assert await recv_json(ws) == {"type": "connection_message", "message": f"{key} Session Destroyed!"}
            await asyncio.wait_for(ws.wait_closed(), v1.TIMEOUT)
        late = await v1.connect(server.url)
        await late.send(json.dumps({"type": "init", "person": "late", "join": key}))
        await v1.expect_error_then_close(late, "Join Key Not Found!")
    run(scenario())


def test_destroying_another_room_is_refused_and_destroys_nothing(server):
    async def scenario():
        key_x, (x1, x2) = await v1.room(server.url, "x1", "x2")
        key_y, (y1,) = await v1.room(server.url, "y1")
        await y1.send(json.dumps({"type": "destroy", "join": key_x}))
        reply = await recv_json(y1)
        assert reply["type"] == "error" and "destroy" in reply["message"]
        await x1.send(json.dumps({"type": "message", "data": "still here"}))
        assert (await recv_json(x2))["data"] == "still here"
        await v1.join(server.url, "x3", key_x, x1, x2)
    run(scenario())


@pytest.mark.parametrize("bad", [
    "{not json", "[]", "42", '"text"', json.dumps({"no": "type"}), json.dumps({"type": 7}),
    json.dumps({"type": "Location Data", "latitude": "1", "longitude": 2}),
    json.dumps({"type": "Location Data", "latitude": 1}),
    json.dumps({"type": "message"}),
    json.dumps({"type": "destroy"}),
    json.dumps({"type": "init", "person": "again"}),
    b"\x89binary",
], ids=["malformed", "array", "number", "string", "no-type", "numeric-type", "string-latitude",
        "no-longitude", "message-without-data", "destroy-without-join", "second-init", "binary"])
def test_bad_input_inside_a_room_gets_an_error_and_the_connection_stays(server, bad):
    async def scenario():
        key, (a, b) = await v1.room(server.url, "ana", "ben")
        await a.send(bad)
        reply = await recv_json(a)
        assert reply["type"] == "error" and reply["message"], reply
        await assert_silent(b, 0.1)
        await a.send(json.dumps({"type": "message", "data": "after"}))
        assert await recv_json(b) == {"type": "message", "person": "ana", "data": "after"}
        await a.close(); await b.close()
    run(scenario())


def test_unknown_types_inside_a_room_are_ignored(server):
    async def scenario():
        key, (a, b) = await v1.room(server.url, "ana", "ben")
        await a.send(json.dumps({"type": "typing", "person": "ana"}))
        await assert_silent(a, 0.2)
        await assert_silent(b, 0.2)
        await a.close(); await b.close()
    run(scenario())


def test_a_clean_close_is_announced_exactly_once(server):
    async def scenario():
        key, (a, b, c) = await v1.room(server.url, "ana", "ben", "cy")
        await b.close()
        for ws in (a, c):
            assert await recv_json(ws) == {"type": "connection_message", "message": "ben Disconnected!"}
            await assert_silent(ws, 0.3)
        await a.close(); await c.close()
    run(scenario())


def test_two_members_with_the_same_name_are_told_apart_by_connection(server):
    async def scenario():
        key, (a1, a2, b) = await v1.room(server.url, "ana", "ana", "ben")
        await a1.send(json.dumps({"type": "message", "data": "from a1"}))
        assert await recv_json(a2) == {"type": "message", "person": "ana", "data": "from a1"}
        assert await recv_json(b) == {"type": "message", "person": "ana", "data": "from a1"}
        await assert_silent(a1)
        for ws in (a1, a2, b):
            await ws.close()
    run(scenario())


def test_names_that_need_escaping_come_back_intact(server):
    async def scenario():
        name = 'Zoë "the \\ tester"\n\t\u0001'
        key, (a, b) = await v1.room(server.url, name, "ben")
        await a.send(json.dumps({"type": "Location Data", "person": "x", "latitude": 1, "longitude": 2}))
        assert await recv_json(b) == {"type": "Location Data", "person": name, "latitude": 1, "longitude": 2}
        await a.close()
        assert await recv_json(b) == {"type": "connection_message", "message": f"{name} Disconnected!"}
    run(scenario())
