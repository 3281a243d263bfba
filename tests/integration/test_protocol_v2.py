"""Protocol v2 (docs/protocol-v2.md), every rule against the real binary,
driven by python3-websockets and a raw-socket client; rooms shared with v1."""
import asyncio
import json
import os
import re
import time


import rawws
import v1
import v2
from roomkey_server import RoomkeyServer, rss_kb
from v1 import recv_json


def run(coro):
    return asyncio.run(coro)






ID = re.compile(r"^[0-9a-z]{1,32}$")


def test_create_and_join_answer_joined_with_members_epoch_offset_and_state(start):
    srv = start()

    async def scenario():
        ana, created = await v2.create(srv.url, "ana")
        assert set(created) == {"type", "v", "join", "created", "owner", "you", "members", "epoch", "offset",
                                "state"}
        assert created["owner"] is True  # without auth: the creator's person name owns the room
        assert v1.KEY_PATTERN.match(created["join"])
        assert ID.match(created["you"]["id"]) and created["you"]["person"] == "ana"
        assert created["members"] == [created["you"]]
        assert isinstance(created["epoch"], str) and created["epoch"]
        assert created["offset"] == 0 and created["state"] == []
        ben, joined = await v2.join(srv.url, "ben", created["join"], ana)
        assert joined["epoch"] == created["epoch"]
        assert joined["owner"] is False
        assert {m["person"] for m in joined["members"]} == {"ana", "ben"}
        assert joined["you"] in joined["members"]
        await ana.close(); await ben.close()
    run(scenario())


def test_member_ids_are_unique_and_one_person_may_have_two_phones(start):
    srv = start()

    async def scenario():
        key, members, replies = await v2.room(srv.url, "ana", "ana", "ben")
        ids = [r["you"]["id"] for r in replies]
        assert len(set(ids)) == 3 and all(ID.match(i) for i in ids)
        await members[2].close()
        for ws in members[:2]:
            event = await recv_json(ws)
            assert event["event"] == "leave" and event["member"]["id"] == ids[2]
        ben_again, joined = await v2.join(srv.url, "ben", key, *members[:2])
        assert joined["you"]["id"] not in ids  # never reused
        for ws in [*members[:2], ben_again]:
            await ws.close()
    run(scenario())


def test_publications_carry_offsets_and_time_are_acked_and_never_echoed(start):
    srv = start()

    async def scenario():
        key, (ana, ben), (ra, rb) = await v2.room(srv.url, "ana", "ben")
        before = int(time.time() * 1000)
        await ana.send(json.dumps({"type": "Location Data", "latitude": 52.52, "longitude": 13.405, "id": "a1"}))
        await ana.send(json.dumps({"type": "message", "data": {"text": "hi"}, "id": 2}))
        await ana.send(json.dumps({"type": "state", "data": {"battery": 80}}))
        assert await recv_json(ana) == {"type": "ack", "id": "a1", "offset": 1}
        assert await recv_json(ana) == {"type": "ack", "id": 2, "offset": 2}
        location, message, state = [await recv_json(ben) for _ in range(3)]
        after = int(time.time() * 1000)
        assert location == {"type": "Location Data", "from": ra["you"]["id"], "person": "ana", "latitude": 52.52,
                            "longitude": 13.405, "offset": 1, "at": location["at"]}
        assert before - 5 <= location["at"] <= after + 5
        assert message["type"] == "message" and message["data"] == {"text": "hi"} and message["offset"] == 2
        assert state["type"] == "state" and state["data"] == {"battery": 80} and state["offset"] == 3
        await v1.assert_silent(ana, 0.3)  # no echo, no ack without an id
        await ana.close(); await ben.close()
    run(scenario())


def test_v1_and_v2_members_share_a_room_each_in_its_own_protocol(start):
    srv = start()

    async def scenario():
        ana, created = await v2.create(srv.url, "ana")
        key = created["join"]
        old = await v1.connect(srv.url)
        await old.send(json.dumps({"type": "init", "person": "old", "join": key}))
        joined_event = await recv_json(ana)
        assert joined_event["event"] == "join" and joined_event["member"]["person"] == "old"
        bob, _ = await v2.join(srv.url, "bob", key, ana)
        assert await recv_json(old) == {"type": "connection_message", "message": "bob Joined!"}
        await ana.send(json.dumps({"type": "Location Data", "latitude": 1.5, "longitude": -2}))
        assert await recv_json(old) == {"type": "Location Data", "person": "ana", "latitude": 1.5, "longitude": -2}
        assert (await recv_json(bob))["offset"] == 1
        await old.send(json.dumps({"type": "message", "data": [1, 2]}))
        for ws in (ana, bob):
            relayed = await recv_json(ws)
            assert relayed["type"] == "message" and relayed["person"] == "old" and relayed["data"] == [1, 2]
            assert relayed["offset"] == 2  # one sequence per room, whoever sends
        await ana.send(json.dumps({"type": "state", "data": "busy"}))
        assert await recv_json(old) == {"type": "message", "person": "ana", "data": "busy"}
        assert (await recv_json(bob))["type"] == "state"
        await old.close()
        for ws in (ana, bob):
            while True:
                event = await recv_json(ws)
                if event["type"] == "presence":
                    break
            assert event["event"] == "leave" and event["member"]["person"] == "old" and event["reason"] == "closed"
        await bob.close()
        assert (await recv_json(ana))["member"]["person"] == "bob"
        await ana.close()
    run(scenario())


def test_a_joiner_gets_each_persons_last_known_state_also_after_they_left(start):
    srv = start()

    async def scenario():
        key, (ana, ben), _ = await v2.room(srv.url, "ana", "ben")
        # One at a time (each seen by the other before the next), so the order is known.
        await ben.send(json.dumps({"type": "Location Data", "latitude": 1, "longitude": 1}))
        assert (await recv_json(ana))["offset"] == 1
        await ana.send(json.dumps({"type": "state", "data": {"status": "driving"}}))
        assert (await recv_json(ben))["offset"] == 2
        await ben.send(json.dumps({"type": "Location Data", "latitude": 2, "longitude": 2}))
        assert (await recv_json(ana))["offset"] == 3
        await ana.send(json.dumps({"type": "message", "data": "not state"}))
        assert (await recv_json(ben))["offset"] == 4
        await ben.close()
        await recv_json(ana)  # ben left
        cy, joined = await v2.join(srv.url, "cy", key, ana)
        state = joined["state"]
        assert [(s["person"], s["type"]) for s in state] == [("ana", "state"), ("ben", "Location Data")]
        assert state[1]["latitude"] == 2 and state[1]["offset"] == 3  # ben's latest, oldest first
        assert joined["offset"] == 4
        await ana.close(); await cy.close()
    run(scenario())


def test_presence_is_answered_on_request(start):
    srv = start()

    async def scenario():
        key, members, replies = await v2.room(srv.url, "ana", "ben", "cy")
        await members[1].send(json.dumps({"type": "presence"}))
        answer = await recv_json(members[1])
        assert answer["type"] == "presence"
        assert sorted(m["id"] for m in answer["members"]) == sorted(r["you"]["id"] for r in replies)
        for ws in members:
            await ws.close()
    run(scenario())


def test_leave_reasons_closed_timeout_and_dropped(start):
    srv = start("--ping-interval", "0.5", "--ping-timeout", "0.5")

    async def scenario():
        ana, created = await v2.create(srv.url, "ana")
        key = created["join"]
        # timeout: a raw client that never answers pings
        ghost = rawws.RawClient(srv.port)
        ghost.send_raw(rawws.encode_frame(0x1, v2.init("ghost", key).encode()))
        assert (await recv_json(ana))["event"] == "join"
        event = await recv_json(ana, timeout=10)
        assert event["event"] == "leave" and event["member"]["person"] == "ghost" and event["reason"] == "timeout"
        ghost.close()
        # dropped: a client breaking the protocol (an unmasked frame) is closed with 1002
        rude = rawws.RawClient(srv.port)
        rude.send_raw(rawws.encode_frame(0x1, v2.init("rude", key).encode()))
        assert (await recv_json(ana))["event"] == "join"
        rude.send_raw(rawws.encode_frame(0x1, b"{}", mask=False))
        event = await recv_json(ana)
        assert event["event"] == "leave" and event["reason"] == "dropped"
        rude.close()
        # closed: a normal close
        ben, _ = await v2.join(srv.url, "ben", key, ana)
        await ben.close()
        event = await recv_json(ana)
        assert event["event"] == "leave" and event["reason"] == "closed"
        await ana.close()
    run(scenario())


def test_history_returns_what_is_held_oldest_first_with_since_and_limit(start):
    srv = start()

    async def scenario():
        key, (ana, ben), _ = await v2.room(srv.url, "ana", "ben")
        for i in range(6):
            await ana.send(json.dumps({"type": "message", "data": i}))
        for _ in range(6):
            await recv_json(ben)
        await ben.send(json.dumps({"type": "history"}))
        everything = await recv_json(ben)
        assert everything["type"] == "history" and everything["offset"] == 6
        assert [p["data"] for p in everything["publications"]] == list(range(6))
        await ben.send(json.dumps({"type": "history", "since": 2, "limit": 3}))
        assert [p["offset"] for p in (await recv_json(ben))["publications"]] == [3, 4, 5]
        await ben.send(json.dumps({"type": "history", "limit": 2}))
        assert [p["offset"] for p in (await recv_json(ben))["publications"]] == [5, 6]
        await ben.send(json.dumps({"type": "history", "since": 6}))
        assert (await recv_json(ben))["publications"] == []
        await ana.close(); await ben.close()
    run(scenario())


def test_resume_across_a_dropped_tcp_connection_recovers_everything_without_gap_or_duplicate(start):
    srv = start()

    async def scenario():
        ana, created = await v2.create(srv.url, "ana")
        key, epoch = created["join"], created["epoch"]
        phone = rawws.RawClient(srv.port)
        phone.send_raw(rawws.encode_frame(0x1, v2.init("ben", key).encode()))
        assert phone.recv_json()["type"] == "joined"
        assert (await recv_json(ana))["event"] == "join"
        for i in range(3):
            await ana.send(json.dumps({"type": "message", "data": i}))
        seen = [phone.recv_json()["offset"] for _ in range(3)]
        assert seen == [1, 2, 3]
        phone.reset()  # the network switch: no close frame, a TCP reset
        assert (await recv_json(ana))["event"] == "leave"
        for i in range(3, 8):
            await ana.send(json.dumps({"type": "message", "data": i}))

        # While ben resumes, ana keeps publishing: what arrives after `joined`
        # must continue `missed` exactly.
        async def keep_publishing():
            for i in range(8, 40):
                await ana.send(json.dumps({"type": "message", "data": i}))
                await asyncio.sleep(0.002)
        publisher = asyncio.create_task(keep_publishing())
        ben, joined = await v2.join(srv.url, "ben", key, since={"epoch": epoch, "offset": seen[-1]})
        assert joined["recovered"] is True
        offsets = [p["offset"] for p in joined["missed"]]
        assert offsets == list(range(4, joined["offset"] + 1))
        assert [p["data"] for p in joined["missed"]][:5] == [3, 4, 5, 6, 7]
        await publisher
        while offsets[-1] < 39:
            offsets.append((await recv_json(ben))["offset"])
        assert offsets == list(range(4, 40))  # no gap, no duplicate
        phone.close()
        await ana.close(); await ben.close()
    run(scenario())


def test_resume_beyond_the_history_window_is_never_partial(start):
    srv = start("--history-size", "5")

    async def scenario():
        ana, created = await v2.create(srv.url, "ana")
        key, epoch = created["join"], created["epoch"]
        for i in range(12):
            await ana.send(json.dumps({"type": "message", "data": i, "id": i}))
        for _ in range(12):
            await recv_json(ana)  # acks: all published
        late, joined = await v2.join(srv.url, "ben", key, ana, since={"epoch": epoch, "offset": 3})
        assert joined["recovered"] is False and joined["missed"] == []
        recent, joined = await v2.join(srv.url, "cy", key, ana, since={"epoch": epoch, "offset": 7})
        assert joined["recovered"] is True and [p["offset"] for p in joined["missed"]] == [8, 9, 10, 11, 12]
        future, joined = await v2.join(srv.url, "dan", key, ana, since={"epoch": epoch, "offset": 99})
        assert joined["recovered"] is False
        for ws in (ana, late, recent, future):
            await ws.close()
    run(scenario())


def test_resume_after_a_server_restart_gets_a_new_epoch_and_recovered_false(sqlite_spec):
    first = RoomkeyServer(sqlite_spec).start()

    async def before():
        ana, created = await v2.create(first.url, "ana")
        await ana.send(json.dumps({"type": "message", "data": 1, "id": 1}))
        await recv_json(ana)
        await ana.close()
        return created["join"], created["epoch"]
    key, epoch = run(before())
    first.stop()
    second = RoomkeyServer(sqlite_spec).start(port=first.port)

    async def after():
        ben, joined = await v2.join(second.url, "ben", key, since={"epoch": epoch, "offset": 1})
        assert joined["epoch"] != epoch  # a stale offset is never taken for a fresh one
        assert joined["recovered"] is False and joined["missed"] == [] and joined["offset"] == 0
        await ben.close()
    run(after())
    second.stop()


def test_destroy_sends_destroyed_to_v2_and_the_notice_to_v1_then_closes_1000(start):
    srv = start()

    async def scenario():
        ana, created = await v2.create(srv.url, "ana")
        key = created["join"]
        old = await v1.connect(srv.url)
        await old.send(json.dumps({"type": "init", "person": "old", "join": key}))
        await recv_json(ana)
        await ana.send(json.dumps({"type": "destroy", "join": "someone-elses"}))
        await v2.expect_error(ana, "not_your_room")
        await ana.send(json.dumps({"type": "destroy", "join": key}))
        assert await recv_json(ana) == {"type": "destroyed", "join": key}
        assert await recv_json(old) == {"type": "connection_message", "message": f"{key} Session Destroyed!"}
        for ws in (ana, old):
            await asyncio.wait_for(ws.wait_closed(), v2.TIMEOUT)
            assert ws.close_code == 1000
        gone = await v2.connect(srv.url)
        await gone.send(v2.init("late", key))
        await v2.expect_error(gone, "not_found", closes=1000)
    run(scenario())


def test_errors_have_stable_codes(start):
    srv = start("--max-messages-per-second", "2", "--max-room-members", "2")

    async def scenario():
        key, (ana, ben), _ = await v2.room(srv.url, "ana", "ben")
        await ana.send("{not json")
        await v2.expect_error(ana, "invalid_json")
        await ana.send(json.dumps({"type": "Location Data", "latitude": 91, "longitude": 0, "id": "x"}))
        error = await v2.expect_error(ana, "invalid_location")
        assert error["id"] == "x"
        await ana.send(json.dumps({"type": "message"}))
        await v2.expect_error(ana, "invalid_message")
        await ana.send(b"\x00binary")
        await v2.expect_error(ana, "binary_not_supported")
        await ana.send(v2.init("ana"))
        await v2.expect_error(ana, "already_in_room")
        for i in range(6):
            await ben.send(json.dumps({"type": "message", "data": i}))
        await v2.expect_error(ben, "rate_limited")
        full = await v2.connect(srv.url)
        await full.send(v2.init("cy", key))
        await v2.expect_error(full, "room_full", closes=1008)
        unknown = await v2.connect(srv.url)
        await unknown.send(v2.init("x", "no-such-room"))
        await v2.expect_error(unknown, "not_found", closes=1000)
        future = await v2.connect(srv.url)
        await future.send(json.dumps({"type": "init", "v": 3, "person": "x"}))
        await v2.expect_error(future, "unsupported_version", closes=1000)
        bad_init = await v2.connect(srv.url)
        await bad_init.send(json.dumps({"type": "init", "v": 2}))
        await v2.expect_error(bad_init, "invalid_init", closes=1000)
        await ana.close(); await ben.close()
    run(scenario())


def test_a_v2_client_without_an_init_in_time_gets_init_timeout_only_after_a_failed_init(start):
    # Before any init the server cannot know the version: silence is answered as v1 answers it.
    srv = start("--init-timeout", "0.5")
    raw = rawws.RawClient(srv.port)
    assert raw.recv_json()["message"].startswith("No init in time")
    raw.close()


def test_v1_clients_see_nothing_of_v2(start):
    """The v1 byte-for-byte promise, with history and state on at their defaults."""
    srv = start()

    async def scenario():
        key, (a, b) = await v1.room(srv.url, "ana", "ben")
        await a.send(json.dumps({"type": "Location Data", "person": "ana", "latitude": 1, "longitude": 2}))
        assert await v1.recv_raw(b) == '{"type":"Location Data","person":"ana","latitude":1,"longitude":2}'
        await v1.assert_silent(a, 0.3)
        await a.close(); await b.close()
    run(scenario())




# 10,000 rooms in CI; ROOMKEY_BUDGET_ROOMS=100000 is the run for the record.
BUDGET_ROOMS = int(os.environ.get("ROOMKEY_BUDGET_ROOMS", "10000"))


def test_memory_stays_under_the_history_budget_with_10000_rooms_publishing(start):
    budget_mib = 4
    srv = start("--history-max-bytes", str(budget_mib << 20), "--max-rooms", "0",
                "--max-failed-joins-per-minute", "0")
    payload = "x" * 2000
    published = []  # (key, epoch) in order

    async def one_room(i):
        ws, created = await v2.create(srv.url, f"p{i}")
        for n in range(3):
            await ws.send(json.dumps({"type": "message", "data": payload, "id": n}))
        for n in range(3):
            assert (await recv_json(ws))["id"] == n
        await ws.send(json.dumps({"type": "Location Data", "latitude": 1, "longitude": 2, "id": 3}))
        await recv_json(ws)
        await ws.close()
        published.append((created["join"], created["epoch"]))

    async def scenario():
        baseline = rss_kb(srv.process.pid)
        gate = asyncio.Semaphore(64)

        async def limited(i):
            async with gate:
                await one_room(i)
        await asyncio.gather(*(limited(i) for i in range(BUDGET_ROOMS)))
        grown_mib = (rss_kb(srv.process.pid) - baseline) / 1024
        kept_without_budget_mib = BUDGET_ROOMS * 4 * 2100 / 2**20
        print(f"\nhistory budget: {BUDGET_ROOMS} rooms x 4 publications (~{kept_without_budget_mib:.0f} MiB "
              f"without a budget), --history-max-bytes {budget_mib} MiB, server RSS grew {grown_mib:.1f} MiB")
        # What the rooms still hold is bounded. (ThreadSanitizer's shadow memory
        # multiplies every byte the server touches: there the eviction checks
        # below are the test.)
        if "TSAN_OPTIONS" not in os.environ:
            assert grown_mib < budget_mib + BUDGET_ROOMS * 2 / 1024 + 16, grown_mib
        # Oldest first out: the first room's history is gone, the last room's is whole.
        key, epoch = published[0]
        ws, joined = await v2.join(srv.url, "back", key, since={"epoch": epoch, "offset": 0})
        assert joined["recovered"] is False
        await ws.close()
        key, epoch = published[-1]
        ws, joined = await v2.join(srv.url, "back", key, since={"epoch": epoch, "offset": 0})
        assert joined["recovered"] is True and len(joined["missed"]) == 4
        await ws.close()
    run(scenario())
