"""Limits: each answered with a clear HTTP status, error message or close code."""
import asyncio
import json
import socket
import time

import rawws
import v1
from v1 import recv_json


def run(coro):
    return asyncio.run(coro)


def status_of(port, source="127.0.0.1"):
    sock = socket.socket()
    sock.bind((source, 0))
    sock.settimeout(5)
    sock.connect(("127.0.0.1", port))
    sock.sendall(rawws.upgrade_request())
    data = sock.recv(4096)
    return sock, data.split(b"\r\n", 1)[0].decode()


def test_connections_over_the_process_limit_get_503_until_one_leaves(make_server):
    srv = make_server("--max-connections", "3").start()
    held = [status_of(srv.port) for _ in range(3)]
    assert all(status == "HTTP/1.1 101 Switching Protocols" for _, status in held)
    sock, status = status_of(srv.port)
    assert status == "HTTP/1.1 503 Service Unavailable"
    sock.close()
    held[0][0].close()
    for _ in range(50):  # the slot frees when the server has seen the close
        sock, status = status_of(srv.port)
        sock.close()
        if status.startswith("HTTP/1.1 101"):
            break
        asyncio.run(asyncio.sleep(0.05))
    assert status == "HTTP/1.1 101 Switching Protocols"
    for s, _ in held[1:]:
        s.close()


def test_connections_over_the_per_address_limit_get_503_and_other_addresses_do_not(make_server):
    srv = make_server("--max-connections-per-ip", "2").start()
    held = [status_of(srv.port) for _ in range(2)]
    sock, status = status_of(srv.port)
    assert status == "HTTP/1.1 503 Service Unavailable"
    sock.close()
    other, status = status_of(srv.port, source="127.0.0.2")
    assert status == "HTTP/1.1 101 Switching Protocols"
    other.close()
    for s, _ in held:
        s.close()


def test_a_join_beyond_the_member_limit_is_refused_with_1008(make_server):
    srv = make_server("--max-room-members", "2").start()

    async def scenario():
        key, (a, b) = await v1.room(srv.url, "ana", "ben")
        c = await v1.connect(srv.url)
        await c.send(json.dumps({"type": "init", "person": "cy", "join": key}))
        assert await recv_json(c) == {"type": "error",
                                      "message": "Room is full: it has reached the server's member limit."}
        await asyncio.wait_for(c.wait_closed(), v1.TIMEOUT)
        assert c.close_code == 1008
        await v1.assert_silent(a, 0.2)  # no "Joined!" for a refused join
        await a.close(); await b.close()
    run(scenario())


def test_messages_over_the_rate_limit_get_errors_and_sustained_abuse_a_close(make_server):
    srv = make_server("--max-messages-per-second", "5").start()

    async def scenario():
        key, (a, b) = await v1.room(srv.url, "ana", "ben")
        started = time.monotonic()
        for i in range(14):  # the bucket holds 2 x 5: four too many
            await a.send(json.dumps({"type": "message", "data": i}))
        # A slow machine takes longer to send them, and the bucket refills 5 a second meanwhile.
        refilled = int(5 * (time.monotonic() - started)) + 1
        errors = 0
        for _ in range(14):
            try:
                message = await recv_json(a, timeout=1)
            except asyncio.TimeoutError:
                break
            assert message == {"type": "error",
                               "message": "Rate limit: too many messages per second; this one was dropped."}
            errors += 1
        relayed = 0
        while True:
            try:
                await recv_json(b, timeout=0.5)
                relayed += 1
            except asyncio.TimeoutError:
                break
        assert relayed + errors == 14 and 10 <= relayed <= 10 + refilled and errors >= 4 - refilled
        for i in range(50):  # keeps going: closed
            try:
                await a.send(json.dumps({"type": "message", "data": i}))
            except Exception:
                break
        await asyncio.wait_for(a.wait_closed(), v1.TIMEOUT)
        assert a.close_code == 1008
        await b.close()
    run(scenario())


def test_creates_beyond_the_room_limit_get_an_error_and_1013_until_a_room_is_destroyed(make_server):
    srv = make_server("--max-rooms", "2").start()
    limit_error = "Room limit reached: the server holds as many rooms as it may; try again later."

    async def scenario():
        a, key_a = await v1.create(srv.url, "ana")
        b, _ = await v1.create(srv.url, "ben")
        c = await v1.connect(srv.url)
        await c.send(json.dumps({"type": "init", "person": "cy"}))
        await v1.expect_error_then_close(c, limit_error)
        assert c.close_code == 1013
        # Joining existing rooms is not limited.
        d = await v1.join(srv.url, "di", key_a, a)
        await v1.confirm_joined(d)
        await a.send(json.dumps({"type": "destroy", "join": key_a}))
        assert await recv_json(d) == {"type": "connection_message", "message": f"{key_a} Session Destroyed!"}
        e, _ = await v1.create(srv.url, "eve")  # the destroyed room's place is free again
        await e.close(); await b.close()
    run(scenario())


def test_rooms_already_stored_count_against_the_limit_after_a_restart(make_server):
    srv = make_server("--max-rooms", "2").start()

    async def fill():
        for name in ("ana", "ben"):
            ws, _ = await v1.create(srv.url, name)
            await ws.close()
    run(fill())
    srv.stop()
    srv.start()

    async def over():
        c = await v1.connect(srv.url)
        await c.send(json.dumps({"type": "init", "person": "cy"}))
        await v1.expect_error_then_close(
            c, "Room limit reached: the server holds as many rooms as it may; try again later.")
    run(over())


def test_an_address_that_guesses_keys_is_refused_even_a_real_key_until_its_allowance_refills(make_server):
    srv = make_server("--max-failed-joins-per-minute", "30").start()
    too_many = "Too many joins with unknown keys from your address: wait a minute before joining again."

    async def guess(url, key):
        ws = await v1.connect(url)
        await ws.send(json.dumps({"type": "init", "person": "guesser", "join": key}))
        return ws

    async def scenario():
        owner, key = await v1.create(srv.url, "owner")
        for i in range(30):
            ws = await guess(srv.url, f"not-a-key-{i}")
            await v1.expect_error_then_close(ws, "Join Key Not Found!")
        ws = await guess(srv.url, key)  # a real key now tells the guesser nothing
        await v1.expect_error_then_close(ws, too_many)
        assert ws.close_code == 1008
        await v1.assert_silent(owner, 0.2)
        # Another address is not affected.
        other = await v1.connect(srv.url, local_addr=("127.0.0.2", 0))
        await other.send(json.dumps({"type": "init", "person": "friend", "join": key}))
        assert await recv_json(owner) == {"type": "connection_message", "message": "friend Joined!"}
        # 30 a minute: one more try every 2 s.
        await asyncio.sleep(2.5)
        ws = await guess(srv.url, key)
        assert await recv_json(owner) == {"type": "connection_message", "message": "guesser Joined!"}
        await ws.close(); await other.close(); await owner.close()
    run(scenario())
