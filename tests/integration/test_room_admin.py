"""`roomkey rooms`: room admin straight on a store. Rooms made by a real
server travel sqlite -> MariaDB -> Redis -> sqlite with owner, created_at
and last_used intact, and stay joinable through a server on the target;
imports skip existing keys and say so; a malformed line is exit 2 naming it;
a Redis Cluster is read on every master."""
import asyncio
import json
import os
import sqlite3
import subprocess
import time

import pytest

import v1
from mariadb_instance import PASSWORD
from redis_instance import RedisCluster, RedisInstance
from roomkey_server import BINARY, RoomkeyServer


def rooms(*args, input=None, env=None):
    return subprocess.run([BINARY, "rooms", *args], input=input, capture_output=True, text=True, timeout=60,
                          env=None if env is None else {**os.environ, **env})


def ok(*args, **kwargs):
    out = rooms(*args, **kwargs)
    assert out.returncode == 0, out.stderr
    return out.stdout


def exported(spec):
    return sorted((json.loads(line) for line in ok("export", "--store", spec).splitlines()), key=lambda r: r["join"])


def write_sqlite(path, records):
    """Rooms as another tool would leave them: the table with roomkey's columns."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE IF NOT EXISTS websock (joinkey VARCHAR(255) PRIMARY KEY, created_at INTEGER, "
               "owner TEXT, last_used INTEGER)")
    db.executemany("INSERT INTO websock (joinkey, owner, created_at, last_used) VALUES (?, ?, ?, ?)",
                   [(r["join"], r.get("owner"), r.get("created_at"), r.get("last_used")) for r in records])
    db.commit()
    db.close()


def lines(records):
    return "".join(json.dumps(r) + "\n" for r in records)


@pytest.fixture
def redis_server():
    instance = RedisInstance().start()
    yield instance
    instance.destroy()


@pytest.fixture
def servers():
    started = []

    def make(spec):
        srv = RoomkeyServer(spec).start()
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()


def test_rooms_keep_owner_and_times_exactly_from_sqlite_through_mariadb_and_redis_back_to_sqlite(
        tmp_path, mariadb, redis_server, servers):
    source = f"sqlite:{tmp_path / 'source.db'}"
    srv = servers(source)

    async def create_rooms():
        keys = []
        for person in ("ana", "ben", "cleo"):
            ws, key = await v1.create(srv.url, person)
            await ws.close()
            keys.append(key)
        return keys

    keys = asyncio.run(create_rooms())
    srv.stop()
    # Beside the server's rooms: one of the original server (nothing but its
    # key) and one with times far apart, so that a swapped or rounded field shows.
    db = sqlite3.connect(tmp_path / "source.db")
    db.execute("INSERT INTO websock (joinkey) VALUES ('original-key')")
    db.execute("INSERT INTO websock VALUES ('old-room', 1600000001, 'dora', 1700000003)")
    db.commit()
    db.close()

    before = exported(source)
    assert {r["join"] for r in before} == {*keys, "original-key", "old-room"}
    by_key = {r["join"]: r for r in before}
    assert by_key["original-key"] == {"join": "original-key", "owner": None, "created_at": None, "last_used": None}
    assert by_key["old-room"] == {"join": "old-room", "owner": "dora", "created_at": 1600000001,
                                  "last_used": 1700000003}
    for key, person in zip(keys, ("ana", "ben", "cleo")):
        assert by_key[key]["owner"] == person
        assert abs(by_key[key]["created_at"] - time.time()) < 60
        assert by_key[key]["last_used"] == by_key[key]["created_at"]
    assert ok("count", "--store", source).strip() == "5"

    maria = mariadb.url(mariadb.fresh_database("rk_admin_copy"))
    redis_spec = redis_server.url
    target = f"sqlite:{tmp_path / 'target.db'}"
    # --room-ttl 0: old-room was last used in 2023 and would otherwise be too old for Redis to keep.
    for frm, to in ((source, maria), (maria, redis_spec), (redis_spec, target)):
        out = ok("copy", "--from", frm, "--to", to, "--room-ttl", "0")
        assert out.strip() == "imported 5, skipped 0 existing", (frm, to)
        assert exported(to) == before, to
        assert ok("count", "--store", to).strip() == "5"

    listing = ok("list", "--store", redis_spec)
    assert "old-room\tdora\t2020-09-13T12:26:41Z\t2023-11-14T22:13:23Z" in listing.splitlines()
    assert "original-key\t-\t-\t-" in listing.splitlines()

    # Every store it went through serves the copied rooms.
    for spec in (maria, redis_spec, target):
        srv = servers(spec)
        asyncio.run(v1.room_by_key(srv.url, keys[0], "eve", "finn"))
        asyncio.run(v1.room_by_key(srv.url, "original-key", "gus"))
        srv.stop()


def test_export_to_a_file_and_import_from_stdin_skip_existing_keys_and_say_so(tmp_path):
    source = f"sqlite:{tmp_path / 'a.db'}"
    records = [{"join": f"key-{i}", "owner": f"owner {i} \"quoted\"\n", "created_at": 1700000000 + i,
                "last_used": 1700000500 + i} for i in range(3)]
    write_sqlite(tmp_path / "a.db", records)
    dump = tmp_path / "rooms.jsonl"
    assert rooms("export", "--store", source, "--output", str(dump)).returncode == 0
    assert sorted((json.loads(line) for line in dump.read_text().splitlines()), key=lambda r: r["join"]) == records

    target = f"sqlite:{tmp_path / 'b.db'}"
    assert ok("import", "--store", target, input=dump.read_text()).strip() == "imported 3, skipped 0 existing"
    assert 'key-0\towner 0 \\"quoted\\"\\u000a\t2023-11-14T22:13:20Z\t2023-11-14T22:21:40Z' in \
        ok("list", "--store", target).splitlines()  # one line per room, whatever the owner holds
    assert ok("import", "--store", target, "--input", str(dump)).strip() == "imported 0, skipped 3 existing"
    one_more = lines([{"join": "key-new"}])  # only the key: the rest is null
    assert ok("import", "--store", target, input=dump.read_text() + "\n" + one_more).strip() == \
        "imported 1, skipped 3 existing"
    assert exported(target) == sorted(records + [{"join": "key-new", "owner": None, "created_at": None,
                                                  "last_used": None}], key=lambda r: r["join"])


def test_a_malformed_line_is_exit_2_naming_its_line_and_nothing_half_done_goes_unsaid(tmp_path):
    target = f"sqlite:{tmp_path / 't.db'}"
    good = [{"join": f"k{i:04}", "owner": "o", "created_at": 1, "last_used": 2} for i in range(600)]
    # From a file: checked whole first, so nothing at all is written.
    bad_file = tmp_path / "bad.jsonl"
    bad_file.write_text(lines(good[:3]) + '{"join": "k-bad", "created_at": "yesterday"}\n' + lines(good[3:]))
    out = rooms("import", "--store", target, "--input", str(bad_file))
    assert out.returncode == 2
    assert "line 4" in out.stderr and "created_at" in out.stderr and "nothing was imported" in out.stderr
    assert not (tmp_path / "t.db").exists()  # not even opened
    # From stdin, read once: the batch of 500 before it is written, and the message says exactly that.
    out = rooms("import", "--store", target, input=lines(good) + "not json\n")
    assert out.returncode == 2
    assert "line 601" in out.stderr
    assert "lines before 501 were imported (imported 500, skipped 0 existing)" in out.stderr
    assert "nothing from line 501 on was" in out.stderr
    assert ok("count", "--store", target).strip() == "500"
    for bad, why in (('{"owner": "x"}', 'no "join"'), ('{"join": ""}', "empty"), ('[1]', "object"),
                     ('{"join": "k", "colour": 1}', 'unknown field "colour"'), ('{"join": "k", "last_used": -5}',
                                                                               "negative")):
        out = rooms("import", "--store", target, input=bad + "\n")
        assert out.returncode == 2 and "line 1" in out.stderr and why in out.stderr, (bad, out.stderr)


def test_stores_that_make_no_sense_or_do_not_open_are_clear_errors(tmp_path, mariadb):
    out = rooms("count", "--store", "memory")
    assert out.returncode == 2 and "memory" in out.stderr
    write_sqlite(tmp_path / "x.db", [])
    out = rooms("copy", "--from", f"sqlite:{tmp_path / 'x.db'}", "--to", "memory")
    assert out.returncode == 2
    out = rooms("list", "--store", "mariadb://u@[::1/db")
    assert out.returncode == 2 and "bad --store URL" in out.stderr
    out = rooms("count", "--store", f"sqlite:{tmp_path / 'missing.db'}")
    assert out.returncode == 1 and "no SQLite database" in out.stderr
    assert not (tmp_path / "missing.db").exists()
    database = mariadb.fresh_database("rk_admin_errors")
    out = rooms("count", "--store", mariadb.url(database).replace(PASSWORD, "wrong"))
    assert out.returncode == 1 and "refused" in out.stderr


def test_the_store_password_comes_from_a_file_or_the_environment(tmp_path, mariadb):
    database = mariadb.fresh_database("rk_admin_password")
    no_password = mariadb.url(database, with_password=False)
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")
    assert ok("import", "--store", no_password, "--store-password-file", str(secret),
              input=lines([{"join": "pw-room", "owner": "o"}])).strip() == "imported 1, skipped 0 existing"
    assert ok("count", "--store", no_password, env={"ROOMKEY_STORE_PASSWORD": PASSWORD}).strip() == "1"
    sqlite_target = f"sqlite:{tmp_path / 'pw.db'}"
    ok("copy", "--from", no_password, "--from-password-file", str(secret), "--to", sqlite_target)
    assert [r["join"] for r in exported(sqlite_target)] == ["pw-room"]


def test_a_redis_cluster_is_read_on_every_master_and_redis_imports_expire_after_their_last_use(tmp_path):
    cluster = RedisCluster().start()
    try:
        now = int(time.time())
        records = [{"join": f"room-{i}", "owner": f"p{i}", "created_at": now - 1000, "last_used": now - 100}
                   for i in range(60)]
        stale = {"join": "stale-room", "owner": "p", "created_at": now - 10000, "last_used": now - 5000}
        write_sqlite(tmp_path / "many.db", records + [stale])
        out = ok("copy", "--from", f"sqlite:{tmp_path / 'many.db'}", "--to", cluster.url, "--room-ttl", "3600")
        assert out.strip() == "imported 60, skipped 0 existing, skipped 1 expired " \
                              "(last used longer ago than --room-ttl)"
        client = cluster.client()
        masters_with_rooms = {node.port for node in cluster.nodes
                              if node.client().keys("roomkey:{*}:room")}
        assert len(masters_with_rooms) == 3  # the rooms are spread, so reading them back needs every master
        ttl = client.ttl("roomkey:{room-0}:room")
        assert 3600 - 100 - 10 <= ttl <= 3600 - 100  # expires an hour after its last use, as a touched room would
        assert ok("count", "--store", cluster.url).strip() == "60"
        assert exported(cluster.url) == sorted(records, key=lambda r: r["join"])
    finally:
        cluster.destroy()


def test_redis_over_a_unix_socket(tmp_path, redis_server):
    write_sqlite(tmp_path / "u.db", [{"join": "unix-room", "owner": "o", "created_at": 5, "last_used": None}])
    ok("copy", "--from", f"sqlite:{tmp_path / 'u.db'}", "--to", redis_server.unix_url, "--room-ttl", "0")
    assert exported(redis_server.unix_url) == [{"join": "unix-room", "owner": "o", "created_at": 5,
                                                "last_used": None}]
    assert redis_server.client().ttl("roomkey:{unix-room}:room") == -1  # --room-ttl 0: never expires
