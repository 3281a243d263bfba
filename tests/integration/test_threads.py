"""Several event loops: rooms spread over loops by key, a connection moves to
its room's loop after init, and nothing is lost or crosses rooms on the way."""
import asyncio
import json

import v1
from v1 import recv_json


def test_many_rooms_over_four_loops_stay_isolated_and_complete(make_server):
    srv = make_server("--threads", "4").start()

    async def scenario():
        rooms = await asyncio.gather(*(v1.room(srv.url, *[f"r{r}m{m}" for m in range(3)]) for r in range(40)))
        # Everyone sends right away, so messages race the moves between loops.
        for r, (_, members) in enumerate(rooms):
            for m, ws in enumerate(members):
                await ws.send(json.dumps({"type": "message", "data": [r, m]}))
        for r, (_, members) in enumerate(rooms):
            for m, ws in enumerate(members):
                got = sorted([tuple((await recv_json(ws))["data"]) for _ in range(2)])
                assert got == [(r, other) for other in range(3) if other != m]
        for _, members in rooms:
            for ws in members:
                await ws.close()
    asyncio.run(scenario())
    asyncio.run(v1.assert_server_still_serves(srv.url))


def test_messages_sent_right_behind_the_init_survive_the_move(make_server):
    srv = make_server("--threads", "4").start()

    async def scenario():
        for attempt in range(20):
            key, (a,) = await v1.room(srv.url, "ana")
            b = await v1.connect(srv.url)
            # init and two messages in one burst: they travel with the move.
            await b.send(json.dumps({"type": "init", "person": "ben", "join": key}))
            await b.send(json.dumps({"type": "message", "data": "first"}))
            await b.send(json.dumps({"type": "message", "data": "second"}))
            assert (await recv_json(a))["message"] == "ben Joined!"
            assert (await recv_json(a))["data"] == "first"
            assert (await recv_json(a))["data"] == "second"
            await a.close()
            await b.close()
    asyncio.run(scenario())
