"""Abuse limits of issue 10: creates per address, allowed origins, room keys
kept out of the log. (Room expiry is in test_rooms.py.)"""
import asyncio
import json

import pytest
import websockets

import v1
import v2
from v1 import recv_json


def run(coro):
    return asyncio.run(coro)




def test_creates_beyond_the_per_address_limit_are_refused_in_both_protocols(start):
    srv = start("--max-creates-per-minute", "3")

    async def scenario():
        for person in ("a", "b", "c"):
            ws, _ = await v1.create(srv.url, person)
            await ws.close()
        refused = await v1.connect(srv.url)
        await refused.send(json.dumps({"type": "init", "person": "d"}))
        assert await recv_json(refused) == {
            "type": "error",
            "message": "Too many rooms created from your address: wait a minute before creating another."}
        await asyncio.wait_for(refused.wait_closed(), 5)
        assert refused.close_code == 1008
        refused = await v2.connect(srv.url)
        await refused.send(v2.init("e"))
        reply = await recv_json(refused)
        assert reply["type"] == "error" and reply["code"] == "too_many_creates", reply
        await asyncio.wait_for(refused.wait_closed(), 5)
        assert refused.close_code == 1008

    run(scenario())


def test_joins_are_not_counted_as_creates(start):
    srv = start("--max-creates-per-minute", "1")

    async def scenario():
        key, members = await v1.room(srv.url, "ana", "ben", "cy", "dan")
        for ws in members:
            await ws.close()

    run(scenario())


def test_only_allowed_origins_may_upgrade(start):
    srv = start("--allowed-origins", "https://app.example,https://Other.example:8443")

    async def scenario():
        for origin in ("https://app.example", "https://other.example:8443", None):
            ws = await websockets.connect(srv.url, origin=origin, open_timeout=5)
            await ws.send(json.dumps({"type": "init", "person": "p"}))
            assert (await recv_json(ws))["type"] == "init"
            await ws.close()
        for origin in ("https://evil.example", "http://app.example", "https://app.example.evil"):
            with pytest.raises(websockets.exceptions.InvalidStatusCode) as refused:
                await websockets.connect(srv.url, origin=origin, open_timeout=5)
            assert refused.value.status_code == 403

    run(scenario())


def test_room_keys_reach_the_log_only_as_their_first_six_characters(start, tmp_path):
    srv = start("--log-level", "debug", "--max-creates-per-minute", "0")

    async def scenario():
        key, (a, b) = await v1.room(srv.url, "ana", "ben")
        await a.send(json.dumps({"type": "destroy", "join": key}))
        await recv_json(a)
        return key

    key = run(scenario())
    srv.stop()
    log = "".join(srv.log_lines)
    assert key not in log and key[:7] not in log
