"""Rooms survive restarts and kills; store calls never stall other rooms."""
import asyncio
import json
import subprocess

import v1
from roomkey_server import BINARY, RoomkeyServer
from v1 import recv_json


def run(coro):
    return asyncio.run(coro)


def test_every_acknowledged_room_survives_sigkill(make_server):
    srv = make_server().start()

    async def create_all():
        async def one(i):
            ws = await v1.connect(srv.url)
            await ws.send(json.dumps({"type": "init", "person": f"p{i}"}))
            key = (await recv_json(ws))["join"]
            return ws, key
        return await asyncio.gather(*(one(i) for i in range(200)))

    async def kill_then_collect():
        pairs = await create_all()
        srv.kill()  # right after the last reply, no chance to flush anything
        return [key for _, key in pairs]

    keys = run(kill_then_collect())
    assert len(set(keys)) == 200

    restarted = make_server().start()

    async def join_all():
        async def one(key):
            ws = await v1.connect(restarted.url)
            await ws.send(json.dumps({"type": "init", "person": "back", "join": key}))
            await v1.assert_silent(ws, 0.2)  # no "Join Key Not Found!"
            assert ws.open
            await ws.close()
        await asyncio.gather(*(one(key) for key in keys))

    run(join_all())


def test_rooms_survive_a_graceful_restart_and_can_be_rejoined_by_both_sides(make_server):
    srv = make_server().start()

    async def first_life():
        key, members = await v1.room(srv.url, "ana", "ben")
        for ws in members:
            await ws.close()
        return key

    key = run(first_life())
    assert srv.stop() == 0
    again = make_server().start()
    run(v1.room_by_key(again.url, key, "ana", "ben"))


def test_a_key_inserted_by_another_process_is_joinable(make_server, store):
    srv = make_server().start()
    store.insert("made-by-the-original-server")
    run(v1.room_by_key(srv.url, "made-by-the-original-server", "ana", "ben"))


def test_the_original_servers_database_is_adopted_without_losing_rows(make_server, store):
    store.prepare_original(["legacy-1", "legacy-2"])
    srv = make_server().start()
    run(v1.room_by_key(srv.url, "legacy-1", "ana", "ben"))
    run(v1.room_by_key(srv.url, "legacy-2", "cy", "dan"))
    srv.stop()
    srv = make_server().start()  # the migration runs again, harmlessly
    run(v1.room_by_key(srv.url, "legacy-1", "eve", "fay"))
    srv.stop()
    assert store.keys() == {"legacy-1", "legacy-2"}
    assert "created_at" in store.columns()


def test_other_rooms_keep_flowing_while_a_store_call_is_stuck(make_server, store):
    srv = make_server().start()

    async def scenario():
        key, (a, b) = await v1.room(srv.url, "ana", "ben")
        # Another session takes the table's write lock: the next create waits
        # on it inside a store thread.
        with store.write_lock():
            creator = await v1.connect(srv.url)
            await creator.send(json.dumps({"type": "init", "person": "patient"}))
            pending_reply = asyncio.ensure_future(recv_json(creator, timeout=20))
            for i in range(20):
                await a.send(json.dumps({"type": "message", "data": i}))
                assert (await recv_json(b))["data"] == i
            assert not pending_reply.done(), "the create cannot have been stored while the lock is held"
        reply = await pending_reply
        assert reply["type"] == "init" and v1.KEY_PATTERN.match(reply["join"])
        assert reply["join"] in store.keys()
        for ws in (a, b, creator):
            await ws.close()
    run(scenario())


def test_a_store_that_cannot_be_opened_is_a_clear_error_exit_1_and_a_bad_spec_exit_2(tmp_path):
    not_a_db = tmp_path / "text.db"
    not_a_db.write_text("this is a text file, not a database; " * 10)
    cases = {  # spec: (message, exit code: 2 for a wrong setting, 1 for a store that fails at run time)
        f"sqlite:{tmp_path / 'no-such-dir' / 'x.db'}": ("cannot open SQLite database", 1),
        f"sqlite:{not_a_db}": ("not a database", 1),
        "postgres://nope": ("unknown --store", 2),
        "sqlite:": ("needs a path", 2),
    }
    for spec, (message, code) in cases.items():
        result = subprocess.run([BINARY, "serve", "--port", "0", "--store", spec], capture_output=True, text=True,
                                timeout=10)
        assert result.returncode == code, (spec, result)
        assert message in result.stderr, (spec, result.stderr)
        assert "Segmentation" not in result.stderr


def test_the_memory_store_works_and_forgets_on_restart(make_server):
    srv = make_server(store="memory").start()

    async def scenario():
        key, members = await v1.room(srv.url, "ana", "ben")
        for ws in members:
            await ws.close()
        return key
    key = run(scenario())
    srv.stop()
    again = make_server(store="memory").start()

    async def rejoin():
        ws = await v1.connect(again.url)
        await ws.send(json.dumps({"type": "init", "person": "x", "join": key}))
        await v1.expect_error_then_close(ws, "Join Key Not Found!")
    run(rejoin())


def test_sigkill_in_the_middle_of_500_creates_loses_no_acknowledged_key(make_server, store):
    srv = make_server().start()
    acknowledged = []

    async def burst():
        async def one(i):
            try:
                ws = await v1.connect(srv.url)
                await ws.send(json.dumps({"type": "init", "person": f"p{i}"}))
                reply = await recv_json(ws, timeout=10)
            except Exception:
                return  # the kill cut this one off: it was never acknowledged
            if reply.get("type") == "init":
                acknowledged.append(reply["join"])
                if len(acknowledged) == 250:
                    srv.kill()
        await asyncio.gather(*(one(i) for i in range(500)))

    run(burst())
    assert len(acknowledged) >= 250
    assert set(acknowledged) <= store.keys()
    restarted = make_server().start()

    async def rejoin_some():
        for key in acknowledged[:: max(1, len(acknowledged) // 25)]:
            ws = await v1.connect(restarted.url)
            await ws.send(json.dumps({"type": "init", "person": "back", "join": key}))
            await v1.assert_silent(ws, 0.05)
            await ws.close()
    run(rejoin_some())
