"""Limits: each answered with a clear HTTP status, error message or close code."""
import asyncio
import json
import socket

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
        for i in range(14):  # the bucket holds 2 x 5: four too many
            await a.send(json.dumps({"type": "message", "data": i}))
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
        assert relayed + errors == 14 and 10 <= relayed <= 11 and errors >= 3
        for i in range(50):  # keeps going: closed
            try:
                await a.send(json.dumps({"type": "message", "data": i}))
            except Exception:
                break
        await asyncio.wait_for(a.wait_closed(), v1.TIMEOUT)
        assert a.close_code == 1008
        await b.close()
    run(scenario())
