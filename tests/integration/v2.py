"""Protocol-v2 helpers on Debian's python3-websockets (an independent client)."""
import asyncio
import json

import v1
from v1 import recv_json

TIMEOUT = v1.TIMEOUT


async def connect(url, **kwargs):
    return await v1.connect(url, **kwargs)


def init(person, key=None, since=None, **extra):
    message = {"type": "init", "v": 2, "person": person, **extra}
    if key is not None:
        message["join"] = key
    if since is not None:
        message["since"] = since
    return json.dumps(message)


async def create(url, person):
    """A new room; returns (connection, joined reply)."""
    ws = await connect(url)
    await ws.send(init(person))
    joined = await recv_json(ws)
    assert joined["type"] == "joined" and joined["created"] is True, joined
    return ws, joined


async def join(url, person, key, *others, since=None):
    """Joins `key`; each of `others` (v2 members already in) sees the presence
    event. Returns (connection, joined reply)."""
    ws = await connect(url)
    await ws.send(init(person, key, since))
    joined = await recv_json(ws)
    assert joined["type"] == "joined" and joined["created"] is False, joined
    for other in others:
        event = await recv_json(other)
        assert event == {"type": "presence", "event": "join", "member": joined["you"]}, event
    return ws, joined


async def room(url, *people):
    """A room with one v2 connection per name; returns (key, [connections], [joined replies])."""
    first, joined = await create(url, people[0])
    members, replies = [first], [joined]
    for person in people[1:]:
        ws, reply = await join(url, person, joined["join"], *members)
        members.append(ws)
        replies.append(reply)
    return joined["join"], members, replies


async def expect_error(ws, code, closes=None):
    message = await recv_json(ws)
    assert message["type"] == "error" and message["code"] == code, message
    assert message["message"].endswith("."), message
    if closes is not None:
        await asyncio.wait_for(ws.wait_closed(), TIMEOUT)
        assert ws.close_code == closes, ws.close_code
    return message
