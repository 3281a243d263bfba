"""--io epoll and --io uring: the same scenarios under each backend (fan-out,
big messages, a slow consumer, TLS, a PROXY header, the move between loops,
the close handshake), each checking from the startup line that the server
runs the backend asked for. The whole suite runs on the default (epoll) and
again with ROOMKEY_IO=uring (the ctest `integration_uring`)."""
import asyncio
import json
import shutil
import socket

import pytest
import websockets

import rawws
import v1
from tls_files import bundle, make_pair
from v1 import recv_json

BACKENDS = ["epoll", "uring"]


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def serve(start, backend):
    """roomkey with --io BACKEND and extra flags; fails unless it says it runs that backend."""
    def make(*extra_args):
        srv = start("--io", backend, *extra_args)
        listening = next(line for line in srv.log_lines if "listening on" in line)
        assert f"io: {backend}" in listening, listening
        return srv
    return make


def run(coro):
    return asyncio.run(coro)


def test_every_member_gets_every_message_of_a_burst(serve):
    srv = serve()

    async def scenario():
        rooms = [await v1.room(srv.url, *[f"r{r}m{m}" for m in range(10)]) for r in range(3)]
        # All at once: many sockets readable and many to write in the same turns.
        for _ in range(20):
            for r, (_, members) in enumerate(rooms):
                for m, ws in enumerate(members):
                    await ws.send(json.dumps({"type": "message", "data": [r, m]}))
        for r, (_, members) in enumerate(rooms):
            for m, ws in enumerate(members):
                got = [tuple((await recv_json(ws))["data"]) for _ in range(9 * 20)]
                assert sorted(got) == sorted((r, other) for other in range(10) if other != m for _ in range(20))
                for other in range(10):  # each sender's messages in the order sent
                    assert [g for g in got if g[1] == other] == [(r, other)] * (20 if other != m else 0)
        for _, members in rooms:
            for ws in members:
                await ws.close()
    run(scenario())


def test_a_message_far_bigger_than_a_read_arrives_whole(serve):
    srv = serve()

    async def scenario():
        _, (a, b, c) = await v1.room(srv.url, "ana", "ben", "cy")
        big = "".join(chr(0x41 + i % 26) for i in range(700_000))
        await a.send(json.dumps({"type": "message", "data": big}))
        await a.send(json.dumps({"type": "message", "data": "after"}))
        for ws in (b, c):
            assert (await recv_json(ws))["data"] == big
            assert (await recv_json(ws))["data"] == "after"
        for ws in (a, b, c):
            await ws.close()
    run(scenario())


def test_a_member_that_stops_reading_is_dropped_and_the_others_get_everything(serve):
    srv = serve("--max-outbound-bytes", "65536")

    async def scenario():
        key, (a, b) = await v1.room(srv.url, "ana", "ben")
        stalled = rawws.RawClient(srv.port)
        stalled.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.send_json({"type": "init", "person": "stalled", "join": key})
        for ws in (a, b):
            assert (await recv_json(ws))["message"] == "stalled Joined!"
        payload = "x" * 8000
        disconnected = False
        i = 0
        # Until the kernel's buffers and then the 64 KB queue are full (the
        # socket buffers autotune to a few MB), with a cap so a bug fails.
        while not disconnected:
            assert i < 5000, "the stalled member was never dropped"
            await a.send(json.dumps({"type": "message", "data": [i, payload]}))
            message = await recv_json(b)
            if message["type"] == "connection_message":
                assert message["message"] == "stalled Disconnected!"
                disconnected = True
                message = await recv_json(b)
            assert message["data"][0] == i  # in order, none missing
            i += 1
        await a.send(json.dumps({"type": "message", "data": "after"}))
        assert (await recv_json(b))["data"] == "after"
        stalled.close()
        await a.close()
        await b.close()
    run(scenario())
    assert any("slow consumer" in line for line in srv.log_lines)


def test_members_talk_over_tls_small_and_big(serve, tmp_path, monkeypatch):
    cert, key = make_pair(tmp_path, "alpha")
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle(tmp_path, cert)))
    srv = serve("--tls-cert", str(cert), "--tls-key", str(key))

    async def scenario():
        _, (a, b) = await v1.room(srv.url, "ana", "ben")
        big = "y" * 200_000  # many TLS records, more than a read slot
        for data in ("hello", big, "bye"):
            await a.send(json.dumps({"type": "message", "data": data}))
        for data in ("hello", big, "bye"):
            assert (await recv_json(b))["data"] == data
        await a.close()
        await b.close()
    run(scenario())


def test_a_proxy_header_split_across_writes_then_http(serve):
    srv = serve("--trusted-proxies", "127.0.0.1", "--proxy-protocol")
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    whole = b"PROXY TCP4 198.51.100.8 127.0.0.1 40000 8001\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    sock.sendall(whole[:9])
    sock.sendall(whole[9:])
    assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    sock.close()


def test_messages_right_behind_the_init_survive_the_move_between_loops(serve):
    srv = serve("--threads", "2")

    async def scenario():
        for attempt in range(20):
            key, (a,) = await v1.room(srv.url, "ana")
            b = await v1.connect(srv.url)
            await b.send(json.dumps({"type": "init", "person": "ben", "join": key}))
            await b.send(json.dumps({"type": "message", "data": "first"}))
            await b.send(json.dumps({"type": "message", "data": "second"}))
            assert (await recv_json(a))["message"] == "ben Joined!"
            assert (await recv_json(a))["data"] == "first"
            assert (await recv_json(a))["data"] == "second"
            await a.send(json.dumps({"type": "message", "data": "back"}))
            assert (await recv_json(b))["data"] == "back"
            await a.close()
            await b.close()
    run(scenario())


def test_the_close_handshake_completes_both_ways(serve):
    srv = serve()

    async def scenario():
        _, (a, b) = await v1.room(srv.url, "ana", "ben")
        await a.close(code=1000, reason="bye")
        assert a.close_code == 1000  # the server answered our close frame
        assert (await recv_json(b))["message"] == "ana Disconnected!"
        # A message too big for the server: it starts the close (1009) and we answer.
        await b.send("z" * (2 << 20))
        await asyncio.wait_for(b.wait_closed(), 5)
        assert b.close_code == 1009
    run(scenario())
