"""Room metadata in the persistent stores (owner, creation, last use), who may
destroy a room, and --room-ttl: on SQLite and on MariaDB, driven by
python3-websockets, with the stores inspected from outside."""
import asyncio
import json
import time

import jwt

import v1
import v2
from v1 import recv_json

SECRET = "0123456789abcdef0123456789abcdef-roomkey-test"


def run(coro):
    return asyncio.run(coro)


def token(sub, **claims):
    return jwt.encode({"sub": sub, "exp": int(time.time()) + 600, **claims}, SECRET, algorithm="HS256")


def wait_for(condition, timeout=10, what="condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_a_room_records_its_owner_creation_and_last_use(make_server, store):
    srv = make_server().start()

    async def scenario():
        ws, key = await v1.create(srv.url, "ana")
        await ws.close()
        return key

    key = run(scenario())
    owner, since_last_use = store.row(key)
    assert owner == "ana"  # without auth: the creator's person name
    assert 0 <= since_last_use < 30
    assert {"created_at", "owner", "last_used"} <= set(store.columns())


def test_a_creator_with_a_very_long_name_creates_and_owns_its_room(make_server, store):
    # Names have no length limit; the owner column holds 255 bytes (VARCHAR(255) on MariaDB).
    srv = make_server().start()
    name = "n" * 300 + "\u00e9"

    async def scenario():
        ws, joined = await v2.create(srv.url, name)
        assert joined["owner"] is True
        key = joined["join"]
        await ws.close()
        await asyncio.sleep(0.2)  # the empty room leaves memory: the next join asks the store
        again, rejoined = await v2.join(srv.url, name, key)
        assert rejoined["owner"] is True, "the creator is still the owner, as the store remembers it"
        other, joined_other = await v2.join(srv.url, "n" * 300 + "x", key)
        assert joined_other["owner"] is False
        for connection in (again, other):
            await connection.close()
        return key

    key = run(scenario())
    owner, _ = store.row(key)
    assert len(owner.encode()) <= 255


def test_rooms_of_the_previous_schema_stay_joinable_and_gain_the_new_columns(make_server, store):
    store.prepare_previous(["before-1", "before-2"])
    srv = make_server("--room-ttl", "3600").start()
    run(v1.room_by_key(srv.url, "before-1", "ana", "ben"))
    srv.stop()
    srv = make_server("--room-ttl", "3600").start()  # the migration runs again, harmlessly
    run(v1.room_by_key(srv.url, "before-2", "cy", "dan"))
    assert store.keys() == {"before-1", "before-2"}
    assert store.row("before-2")[0] in (None, "")  # no owner recorded for rows made before owners were kept

    async def destroy_without_auth():  # as before: any member may destroy such a room
        ws = await v1.join(srv.url, "eve", "before-1")
        await v1.confirm_joined(ws)
        await ws.send(json.dumps({"type": "destroy", "join": "before-1"}))
        assert await recv_json(ws) == {"type": "connection_message", "message": "before-1 Session Destroyed!"}

    run(destroy_without_auth())
    assert store.keys() == {"before-2"}


def test_with_auth_only_the_owner_or_an_admin_may_destroy(make_server, store, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(SECRET)
    srv = make_server("--auth-key", str(secret)).start()

    async def scenario():
        owner = await v2.connect(srv.url)
        await owner.send(v2.init("x", token=token("u-owner")))
        joined = await recv_json(owner)
        key = joined["join"]
        assert joined["owner"] is True
        other = await v2.connect(srv.url)
        await other.send(v2.init("x", key, token=token("u-other")))
        assert (await recv_json(other))["owner"] is False
        await recv_json(owner)  # the presence join
        await other.send(json.dumps({"type": "destroy", "join": key}))
        assert await recv_json(other) == {"type": "error", "code": "forbidden",
                                          "message": "Only the room's owner can destroy it."}
        legacy = await v1.connect(srv.url)
        await legacy.send(json.dumps({"type": "init", "person": "x", "join": key, "token": token("u-v1")}))
        await recv_json(owner)
        await recv_json(other)
        await legacy.send(json.dumps({"type": "destroy", "join": key}))
        assert await recv_json(legacy) == {"type": "error", "message": "Only the room's owner can destroy it."}
        assert key in store.keys()

        admin = await v2.connect(srv.url)
        await admin.send(v2.init("x", key, token=token("u-admin", admin=True)))
        assert (await recv_json(admin))["owner"] is False
        await admin.send(json.dumps({"type": "destroy", "join": key}))
        assert await recv_json(admin) == {"type": "destroyed", "join": key}
        assert key not in store.keys()

        # The owner of another room destroys it.
        mine = await v2.connect(srv.url)
        await mine.send(v2.init("x", token=token("u-owner")))
        mine_key = (await recv_json(mine))["join"]
        assert store.row(mine_key)[0] == "u-owner"
        await mine.send(json.dumps({"type": "destroy", "join": mine_key}))
        assert await recv_json(mine) == {"type": "destroyed", "join": mine_key}

    run(scenario())


def test_rooms_not_joined_within_the_ttl_leave_the_store(make_server, store):
    store.prepare_original(["from-the-original"])  # no last use recorded: stamped, not removed
    srv = make_server("--room-ttl", "4").start()  # a sweep every second

    async def make_room(person):
        ws, key = await v1.create(srv.url, person)
        await ws.close()
        return key

    stale, fresh = run(make_room("ana")), run(make_room("ben"))
    store.age_last_use(stale, 100)
    wait_for(lambda: stale not in store.keys(), what="the stale room to expire")
    assert {fresh, "from-the-original"} <= store.keys()

    async def join_stale():
        ws = await v1.join(srv.url, "cy", stale)
        assert await recv_json(ws) == {"type": "error", "message": "Join Key Not Found!"}

    run(join_stale())
    srv.stop()
    assert any("room expiry: removed 1 room not joined for 4 s" in line for line in srv.log_lines)


def test_last_use_is_written_when_a_room_is_loaded_not_on_every_join(make_server, store):
    srv = make_server("--room-ttl", "86400").start()

    async def join(url, key, person):
        ws = await v1.join(url, person, key)
        await v1.confirm_joined(ws)
        return ws

    async def in_memory():
        creator, key = await v1.create(srv.url, "ana")  # stays: the room stays in memory
        store.age_last_use(key, 500)
        ben = await join(srv.url, key, "ben")  # written at its creation, under an hour ago: no write
        assert store.row(key)[1] >= 500
        await ben.close()
        await creator.close()
        return key

    key = run(in_memory())
    srv.stop()
    srv = make_server("--room-ttl", "86400").start()

    async def loaded():
        cy = await join(srv.url, key, "cy")  # loaded from the store by this process: written now
        wait_for(lambda: store.row(key)[1] < 30, what="the last use to be written")
        await cy.close()

    run(loaded())
