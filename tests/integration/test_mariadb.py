"""MariaDB specifics: URL forms, credentials, and outages of the database
(the private instance is stopped and started again mid-test)."""
import asyncio
import json
import subprocess

import pytest

import v1
from mariadb_instance import USER, PASSWORD
from roomkey_server import BINARY, RoomkeyServer
from v1 import recv_json

STORE_DOWN_CREATE = "Room store unavailable: the room was not created, try again."
STORE_DOWN_JOIN = "Room store unavailable: could not look up the join key, try again."


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def database(mariadb):
    return mariadb.fresh_database("rk_mariadb_only")


@pytest.fixture
def restart_mariadb_afterwards(mariadb):
    yield mariadb
    if mariadb.process is None:
        mariadb.start()


@pytest.fixture
def servers():
    started = []
    yield started
    for srv in started:
        srv.stop()


def start(servers, spec, *args, env=None):
    srv = RoomkeyServer(spec, *args)
    servers.append(srv)
    if env:
        import os
        old = dict(os.environ)
        os.environ.update(env)
        try:
            return srv.start()
        finally:
            os.environ.clear()
            os.environ.update(old)
    return srv.start()


async def expect_error_and_open(ws, message):
    assert await recv_json(ws) == {"type": "error", "message": message}
    await v1.assert_silent(ws, 0.1)
    assert ws.open


def test_the_unix_socket_form_works(mariadb, database, servers):
    srv = start(servers, f"mariadb://{USER}:{PASSWORD}@/{database}?socket={mariadb.socket}&pool=2")
    run(v1.assert_server_still_serves(srv.url))


def test_the_password_can_come_from_the_environment_or_a_file(mariadb, database, servers, tmp_path):
    bare = mariadb.url(database, with_password=False)
    srv = start(servers, bare, env={"ROOMKEY_STORE_PASSWORD": PASSWORD})
    run(v1.assert_server_still_serves(srv.url))
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")
    srv = start(servers, bare, "--store-password-file", str(secret))
    run(v1.assert_server_still_serves(srv.url))


@pytest.mark.parametrize("mutate, message", [
    (lambda url: url.replace(PASSWORD, "wrong"), "Access denied"),
    (lambda url: url.rsplit("/", 1)[0] + "/no_such_db", "refused"),
])
def test_credentials_the_database_refuses_are_a_clear_error_and_exit_1(mariadb, database, mutate, message):
    result = subprocess.run([BINARY, "serve", "--port", "0", "--store", mutate(mariadb.url(database))],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1  # the world refused at run time: not a usage error
    assert message in result.stderr


def test_a_mariadb_outage_keeps_rooms_in_memory_alive_and_heals_by_itself(
        mariadb, database, servers, restart_mariadb_afterwards):
    srv = start(servers, mariadb.url(database))

    async def scenario():
        key, (a, b) = await v1.room(srv.url, "ana", "ben")
        # A room that is only in the database, not in memory:
        dormant, (d,) = await v1.room(srv.url, "dormant")
        await d.close()

        mariadb.stop()

        # Rooms in memory keep working, joins of them too.
        await a.send(json.dumps({"type": "message", "data": "during the outage"}))
        assert (await recv_json(b))["data"] == "during the outage"
        c = await v1.join(srv.url, "cy", key, a, b)

        # A create is refused, never acknowledged; the connection stays.
        creator = await v1.connect(srv.url)
        await creator.send(json.dumps({"type": "init", "person": "new"}))
        await expect_error_and_open(creator, STORE_DOWN_CREATE)

        # A key not in memory may exist: "unavailable", not "not found".
        joiner = await v1.connect(srv.url)
        await joiner.send(json.dumps({"type": "init", "person": "late", "join": dormant}))
        await expect_error_and_open(joiner, STORE_DOWN_JOIN)

        mariadb.start()

        # Without restarting roomkey, the same connections succeed on retry
        # (the store reconnects at most once a second).
        for _ in range(50):
            await creator.send(json.dumps({"type": "init", "person": "new"}))
            reply = await recv_json(creator)
            if reply["type"] == "init":
                break
            assert reply == {"type": "error", "message": STORE_DOWN_CREATE}
            await asyncio.sleep(0.2)
        assert reply["type"] == "init"
        assert reply["join"] in mariadb.keys(database)
        await joiner.send(json.dumps({"type": "init", "person": "late", "join": dormant}))
        await v1.assert_silent(joiner, 0.2)
        await joiner.send(json.dumps({"type": "message", "data": "back"}))
        for ws in (a, b, c, creator, joiner):
            await ws.close()
    run(scenario())


def test_a_server_started_while_mariadb_is_down_starts_and_recovers(
        mariadb, database, servers, restart_mariadb_afterwards):
    mariadb.stop()
    srv = start(servers, mariadb.url(database))
    assert any("unreachable" in line for line in srv.log_lines), srv.log_lines

    async def while_down():
        ws = await v1.connect(srv.url)
        await ws.send(json.dumps({"type": "init", "person": "early"}))
        await expect_error_and_open(ws, STORE_DOWN_CREATE)
        await ws.close()
    run(while_down())

    mariadb.start()

    async def after():
        for _ in range(50):
            ws = await v1.connect(srv.url)
            await ws.send(json.dumps({"type": "init", "person": "later"}))
            reply = await recv_json(ws)
            await ws.close()
            if reply["type"] == "init":
                return reply["join"]
            await asyncio.sleep(0.2)
        raise AssertionError("never recovered")
    key = run(after())
    assert key in mariadb.keys(database)
    run(v1.assert_server_still_serves(srv.url))
