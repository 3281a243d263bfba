"""RFC 6455 behaviour of the real server: the upgrade, framing, fragmentation,
control frames, the close handshake, UTF-8 and limits."""
import asyncio
import json
import socket
import struct
import time

import pytest
import websockets

import rawws
import v1
from v1 import recv_json


def run(coro):
    return asyncio.run(coro)


def status_line(response: bytes):
    return response.split(b"\r\n", 1)[0].decode()


# ------------------------------------------------------------------ handshake

def test_a_wrong_version_gets_426_naming_version_13(server):
    response = rawws.http_exchange(server.port, rawws.upgrade_request(version="8"))
    assert status_line(response).startswith("HTTP/1.1 426")
    assert b"Sec-WebSocket-Version: 13\r\n" in response


@pytest.mark.parametrize("request_bytes", [
    rawws.upgrade_request(key="tooshort"),
    b"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
    b"Host: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n",
    b"NONSENSE\r\n\r\n",
], ids=["bad-key", "no-key", "no-connection-upgrade", "tls-hello", "garbage"])
def test_a_bad_upgrade_request_gets_400_and_a_close(server, request_bytes):
    assert status_line(rawws.http_exchange(server.port, request_bytes)).startswith("HTTP/1.1 400")


def test_plain_http_is_answered_and_closed(server):
    page = rawws.http_exchange(server.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status_line(page) == "HTTP/1.1 200 OK" and b"<title>roomkey</title>" in page  # the page (test_web.py)
    plain = rawws.http_exchange(server.port, b"GET /chat HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status_line(plain).startswith("HTTP/1.1 426")
    assert b"WebSocket" in plain
    health = rawws.http_exchange(server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status_line(health) == "HTTP/1.1 200 OK"
    post = rawws.http_exchange(server.port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
    assert status_line(post).startswith("HTTP/1.1 405")


def test_an_oversized_request_header_gets_431(server):
    response = rawws.http_exchange(server.port, b"GET / HTTP/1.1\r\nX-Pad: " + b"a" * 20000 + b"\r\n\r\n")
    assert status_line(response).startswith("HTTP/1.1 431")


def test_a_half_sent_handshake_does_not_hold_up_anyone(server):
    stalled = socket.create_connection(("127.0.0.1", server.port))
    stalled.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    run(v1.assert_server_still_serves(server.url))
    stalled.close()


def test_a_handshake_arriving_one_byte_at_a_time_works(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    for byte in rawws.upgrade_request():
        sock.send(bytes([byte]))
    assert sock.recv(4096).startswith(b"HTTP/1.1 101")
    sock.close()


# ------------------------------------------------------------------ framing

@pytest.mark.parametrize("size", [0, 1, 100, 125, 126, 1000, 65535, 65536, 200000])
def test_payloads_of_every_length_class_are_relayed_intact(server, size):
    async def scenario():
        key, (a, b) = await v1.room(server.url, "ana", "ben")
        data = "".join(chr(ord("a") + i % 26) for i in range(size))
        await a.send(json.dumps({"type": "message", "data": data}))
        assert (await recv_json(b))["data"] == data
        await a.close(); await b.close()
    run(scenario())


def test_a_fragmented_message_reaches_the_others_as_one_message(server):
    async def scenario():
        key, (a, b) = await v1.room(server.url, "ana", "ben")
        text = json.dumps({"type": "message", "data": "x" * 5000 + "\u20ac"})
        # websockets sends an iterable as one fragmented message, a frame per item.
        await a.send([text[:10], text[10:2000], text[2000:]])
        assert await recv_json(b) == {"type": "message", "person": "ana", "data": "x" * 5000 + "\u20ac"}
        await a.close(); await b.close()
    run(scenario())


def test_a_ping_between_fragments_is_answered_and_the_message_still_arrives(server):
    key_holder = {}

    async def make_room():
        key, (b,) = await v1.room(server.url, "ben")
        key_holder["key"] = key
        return b

    async def scenario():
        b = await make_room()
        raw = rawws.RawClient(server.port)
        raw.send_json({"type": "init", "person": "raw", "join": key_holder["key"]})
        assert (await recv_json(b))["message"] == "raw Joined!"
        text = json.dumps({"type": "message", "data": "pieces"}).encode()
        raw.send_frame(0x1, text[:5], fin=False)
        raw.send_frame(0x9, b"are you there")
        raw.send_frame(0x0, text[5:12], fin=False)
        raw.send_frame(0x0, text[12:], fin=True)
        assert raw.recv_frame() == (True, 0xA, b"are you there")
        assert await recv_json(b) == {"type": "message", "person": "raw", "data": "pieces"}
        raw.close()
        await b.close()
    run(scenario())


def test_pings_are_answered(server):
    async def scenario():
        ws = await v1.connect(server.url)
        pong = await ws.ping(b"hello")
        await asyncio.wait_for(pong, v1.TIMEOUT)
        await ws.close()
    run(scenario())


def test_the_close_handshake_completes_and_the_server_closes_tcp(server):
    raw = rawws.RawClient(server.port)
    raw.send_frame(0x8, struct.pack("!H", 1000) + b"bye")
    assert raw.recv_close() == (1000, "")
    assert raw.wait_eof()


def test_a_close_code_the_client_picks_is_echoed(server):
    async def scenario():
        ws = await v1.connect(server.url)
        await ws.close(code=4001, reason="app says bye")
        assert ws.close_code == 4001
    run(scenario())


# ------------------------------------------------------------------ violations

def violation(server, frame_bytes, expected_code, join_first=True):
    raw = rawws.RawClient(server.port)
    if join_first:
        raw.send_json({"type": "init", "person": "raw"})
        assert raw.recv_json()["type"] == "init"
    raw.send_raw(frame_bytes)
    code, _ = raw.recv_close()
    assert code == expected_code
    raw.send_frame(0x8, struct.pack("!H", 1000))
    assert raw.wait_eof()


def test_an_unmasked_frame_closes_with_1002(server):
    violation(server, rawws.encode_frame(0x1, b'{"type":"message","data":1}', mask=False), 1002)


@pytest.mark.parametrize("rsv", [1, 2, 4])
def test_reserved_bits_close_with_1002(server, rsv):
    violation(server, rawws.encode_frame(0x1, b"{}", rsv=rsv), 1002)


@pytest.mark.parametrize("opcode", [3, 7, 11, 15])
def test_reserved_opcodes_close_with_1002(server, opcode):
    violation(server, rawws.encode_frame(opcode, b"x"), 1002)


def test_a_continuation_without_a_start_closes_with_1002(server):
    violation(server, rawws.encode_frame(0x0, b"x"), 1002)


def test_a_fragmented_ping_closes_with_1002(server):
    violation(server, rawws.encode_frame(0x9, b"x", fin=False), 1002)


def test_an_oversized_ping_closes_with_1002(server):
    violation(server, rawws.encode_frame(0x9, b"x" * 126), 1002)


def test_a_close_frame_with_a_bad_code_closes_with_1002(server):
    violation(server, rawws.encode_frame(0x8, struct.pack("!H", 1005)), 1002)


@pytest.mark.parametrize("payload", [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b'{"type":"message","data":"\xe2\x82"}'])
def test_invalid_utf8_text_closes_with_1007(server, payload):
    violation(server, rawws.encode_frame(0x1, payload), 1007)


def test_invalid_utf8_before_init_also_closes_with_1007(server):
    violation(server, rawws.encode_frame(0x1, b"\xff\xfe"), 1007, join_first=False)


def test_a_message_over_the_limit_closes_with_1009(make_server):
    srv = make_server("--max-message-bytes", "1024").start()

    async def scenario():
        key, (a, b) = await v1.room(srv.url, "ana", "ben")
        await a.send(json.dumps({"type": "message", "data": "x" * 900}))  # fits
        assert len((await recv_json(b))["data"]) == 900
        await a.send(json.dumps({"type": "message", "data": "x" * 2000}))
        await asyncio.wait_for(a.wait_closed(), v1.TIMEOUT)
        assert a.close_code == 1009
        assert await recv_json(b) == {"type": "connection_message", "message": "ana Disconnected!"}
        await b.close()
    run(scenario())
    run(v1.assert_server_still_serves(srv.url))


def test_a_fragmented_message_over_the_limit_closes_with_1009(make_server):
    srv = make_server("--max-message-bytes", "1024").start()
    raw = rawws.RawClient(srv.port)
    raw.send_frame(0x1, b"x" * 400, fin=False)
    raw.send_frame(0x0, b"x" * 400, fin=False)
    raw.send_frame(0x0, b"x" * 400, fin=False)
    code, _ = raw.recv_close()
    assert code == 1009
    raw.close()
    run(v1.assert_server_still_serves(srv.url))


def test_a_huge_declared_length_is_refused_before_any_payload_arrives(server):
    raw = rawws.RawClient(server.port)
    header = struct.pack("!BBQ", 0x82, 0x80 | 127, 1 << 40) + b"mask"
    raw.send_raw(header)
    code, _ = raw.recv_close()
    assert code == 1009
    raw.close()


# ------------------------------------------------------------------ disconnects

def test_a_tcp_reset_is_announced_exactly_once(server):
    async def scenario():
        key, (a,) = await v1.room(server.url, "ana")
        raw = rawws.RawClient(server.port)
        raw.send_json({"type": "init", "person": "vanishing", "join": key})
        assert await recv_json(a) == {"type": "connection_message", "message": "vanishing Joined!"}
        raw.reset()
        assert await recv_json(a) == {"type": "connection_message", "message": "vanishing Disconnected!"}
        await v1.assert_silent(a, 0.3)
        await a.close()
    run(scenario())


def test_a_protocol_violation_is_announced_as_a_disconnect(server):
    async def scenario():
        key, (a,) = await v1.room(server.url, "ana")
        raw = rawws.RawClient(server.port)
        raw.send_json({"type": "init", "person": "rude", "join": key})
        assert (await recv_json(a))["message"] == "rude Joined!"
        raw.send_raw(rawws.encode_frame(0x1, b"{}", mask=False))
        assert await recv_json(a) == {"type": "connection_message", "message": "rude Disconnected!"}
        raw.reset()
        await v1.assert_silent(a, 0.3)
        await a.close()
    run(scenario())


def test_a_client_that_never_answers_the_close_is_dropped_after_the_close_timeout(make_server):
    srv = make_server("--close-timeout", "0.5").start()
    raw = rawws.RawClient(srv.port)
    raw.send_json({"type": "Location Data", "latitude": 1, "longitude": 2})  # invalid first message
    assert raw.recv_json() == {"type": "error", "message": "Invalid message format."}
    assert raw.recv_close()[0] == 1000
    started = time.monotonic()
    assert raw.wait_eof()  # without our close frame, the server gives up on us
    assert time.monotonic() - started < 5
