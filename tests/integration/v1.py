"""Protocol-v1 helpers on Debian's python3-websockets (an independent client)."""
import asyncio
import json
import re

import websockets

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22,}$")
TIMEOUT = 5


async def connect(url, **kwargs):
    return await websockets.connect(url, open_timeout=TIMEOUT, close_timeout=TIMEOUT, **kwargs)


async def recv_json(ws, timeout=TIMEOUT):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def recv_raw(ws, timeout=TIMEOUT):
    return await asyncio.wait_for(ws.recv(), timeout)


async def assert_silent(ws, seconds=0.3):
    """Nothing arrives within `seconds`."""
    try:
        message = await asyncio.wait_for(ws.recv(), seconds)
    except asyncio.TimeoutError:
        return
    raise AssertionError(f"unexpected message: {message!r}")


async def create(url, person):
    ws = await connect(url)
    await ws.send(json.dumps({"type": "init", "person": person}))
    reply = await recv_json(ws)
    assert reply["type"] == "init", reply
    assert KEY_PATTERN.match(reply["join"]), reply
    return ws, reply["join"]


async def join(url, person, key, *others):
    """Joins `key`; each of `others` (members already in) sees the notice."""
    ws = await connect(url)
    await ws.send(json.dumps({"type": "init", "person": person, "join": key}))
    for other in others:
        assert await recv_json(other) == {"type": "connection_message", "message": f"{person} Joined!"}
    return ws


async def room(url, *people):
    """A room with one connection per name; returns (key, [connections])."""
    first, key = await create(url, people[0])
    members = [first]
    for person in people[1:]:
        members.append(await join(url, person, key, *members))
    return key, members


async def expect_error_then_close(ws, message):
    assert await recv_json(ws) == {"type": "error", "message": message}
    await asyncio.wait_for(ws.wait_closed(), TIMEOUT)


async def assert_server_still_serves(url):
    key, (a, b) = await room(url, "probe-a", "probe-b")
    await a.send(json.dumps({"type": "message", "data": "still alive"}))
    assert await recv_json(b) == {"type": "message", "person": "probe-a", "data": "still alive"}
    await a.close()
    await b.close()


async def confirm_joined(ws):
    """A join has no reply, and one that needs the store completes later. A
    message with an error in it is answered only after the join is done (the
    server reads a client's messages in order), and only inside a room."""
    await ws.send(json.dumps({"type": "message"}))
    assert await recv_json(ws) == {"type": "error", "message": 'Invalid message: "data" is required.'}


async def room_by_key(url, key, *people):
    """Joins every person to an existing `key` and checks they talk."""
    members = []
    for person in people:
        members.append(await join(url, person, key, *members))
        if len(members) == 1:
            await confirm_joined(members[0])
    await members[0].send(json.dumps({"type": "message", "data": "hello"}))
    for ws in members[1:]:
        assert await recv_json(ws) == {"type": "message", "person": people[0], "data": "hello"}
    for ws in members:
        await ws.close()
