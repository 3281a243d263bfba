"""--log-format json and the per-connection lines: opened, entered a room, closed (code, who, duration)."""
import asyncio
import json

import websockets

import v1
from roomkey_server import RoomkeyServer


def stopped_lines(srv):
    assert srv.stop() == 0
    return srv.log_lines


def test_json_lines_follow_each_connection_without_leaking_the_key(tmp_path):
    srv = RoomkeyServer(f"sqlite:{tmp_path / 'rooms.db'}", "--log-format", "json", "--max-room-members", "2",
                        "--trusted-proxies", "127.0.0.1").start()

    async def scenario():
        ana, key = await v1.create(srv.url, "ana")
        ben = await websockets.connect(srv.url, extra_headers={"X-Forwarded-For": "203.0.113.9"})
        await ben.send(json.dumps({"type": "init", "person": "ben", "join": key}))
        await v1.recv_json(ana)  # ben Joined!
        cy = await v1.connect(srv.url)
        await cy.send(json.dumps({"type": "init", "person": "cy", "join": key}))
        await v1.expect_error_then_close(cy, "Room is full: it has reached the server's member limit.")
        await ben.close()
        await v1.recv_json(ana)
        await ana.close()
        return key

    key = asyncio.run(scenario())
    lines = stopped_lines(srv)
    events = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "msg"} <= event.keys() for event in events)
    assert not any(key in line for line in lines), "a full room key was logged"

    by_conn = {}
    for event in events:
        if "conn" in event:
            by_conn.setdefault(event["conn"], []).append(event)
    assert len(by_conn) == 3
    ana_events, ben_events, cy_events = (by_conn[c] for c in sorted(by_conn))
    assert [e["msg"] for e in ana_events] == ["connection opened", "room created", "connection closed"]
    assert [e["msg"] for e in ben_events] == ["connection opened", "room joined", "connection closed"]
    assert [e["msg"] for e in cy_events] == ["connection opened", "connection closed"]
    assert all(e["level"] == "info" for e in ana_events + ben_events + cy_events)
    assert ana_events[1]["room"] == key[:6] and ben_events[1]["room"] == key[:6]
    assert ana_events[0]["client"] == "127.0.0.1"
    assert {e["client"] for e in ben_events} == {"203.0.113.9"}  # as the trusted proxy named it
    closed = ben_events[2]
    assert closed["code"] == 1000 and closed["by"] == "client" and closed["room"] == key[:6]
    assert 0 <= closed["duration_s"] < 10
    refused = cy_events[1]
    assert refused["code"] == 1008 and refused["by"] == "server" and refused["reason"] == "room full"
    assert "room" not in refused


def test_text_lines_carry_the_same_fields():
    srv = RoomkeyServer("memory").start()

    async def scenario():
        ana, key = await v1.create(srv.url, "ana")
        ana.transport.abort()  # no close frame: the TCP connection just ends
        await asyncio.sleep(0.3)
        return key

    key = asyncio.run(scenario())
    lines = stopped_lines(srv)
    closed = [line for line in lines if "connection closed" in line]
    assert len(closed) == 1
    assert f"room={key[:6]}" in closed[0] and "code=1006 by=none reason=closed" in closed[0], closed[0]
    assert "conn=" in closed[0] and "client=127.0.0.1" in closed[0] and "duration_s=" in closed[0]
