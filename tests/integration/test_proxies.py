"""Behind a reverse proxy (--trusted-proxies, --proxy-protocol): the client's
address comes from X-Forwarded-For or a PROXY v1/v2 header, but only when
the peer is trusted, and every per-address limit counts that address. The
tests connect from 127.0.0.1, which each server either trusts or not."""
import asyncio
import ipaddress
import json
import socket
import struct
import subprocess

import pytest
import websockets

import rawws
from roomkey_server import BINARY
from v1 import recv_json

TOO_MANY = "Too many rooms created from your address: wait a minute before creating another."


def run(coro):
    return asyncio.run(coro)




async def create_as(url, forwarded_for=None, sock=None):
    """A create; returns the reply (init or error)."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else None
    ws = await websockets.connect(url, extra_headers=headers, sock=sock, open_timeout=5)
    await ws.send(json.dumps({"type": "init", "person": "p"}))
    reply = await recv_json(ws)
    await ws.close()
    return reply


def proxy_v1(client, port=40000):
    family = "TCP6" if ":" in client else "TCP4"
    server = "::1" if family == "TCP6" else "127.0.0.1"
    return f"PROXY {family} {client} {server} {port} 8001\r\n".encode()


def proxy_v2(client, port=40000, local=False):
    signature = b"\r\n\r\n\x00\r\nQUIT\n"
    if local:
        return signature + bytes([0x20, 0x00, 0, 0])
    address = ipaddress.ip_address(client)
    if address.version == 4:
        payload = address.packed + ipaddress.ip_address("127.0.0.1").packed + struct.pack("!HH", port, 8001)
        return signature + bytes([0x21, 0x11]) + struct.pack("!H", len(payload)) + payload
    payload = address.packed + ipaddress.ip_address("::1").packed + struct.pack("!HH", port, 8001)
    return signature + bytes([0x21, 0x21]) + struct.pack("!H", len(payload)) + payload


def socket_with(port, prefix):
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(prefix)
    return sock


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client_for_the_limits(start):
    srv = start("--trusted-proxies", "127.0.0.0/8", "--max-creates-per-minute", "1")

    async def scenario():
        assert (await create_as(srv.url, "203.0.113.1"))["type"] == "init"
        assert await create_as(srv.url, "203.0.113.1") == {"type": "error", "message": TOO_MANY}
        # Another client behind the same proxy has its own allowance; an
        # address the client wrote itself, left of the proxy's, is not believed.
        assert (await create_as(srv.url, "203.0.113.1, 203.0.113.2"))["type"] == "init"
        assert (await create_as(srv.url, "2001:db8::9"))["type"] == "init"

    run(scenario())


def test_x_forwarded_for_from_anyone_else_is_ignored(start):
    srv = start("--trusted-proxies", "10.0.0.0/8", "--max-creates-per-minute", "1")

    async def scenario():
        assert (await create_as(srv.url, "203.0.113.1"))["type"] == "init"
        assert await create_as(srv.url, "203.0.113.2") == {"type": "error", "message": TOO_MANY}

    run(scenario())


@pytest.mark.parametrize("header", [proxy_v1, proxy_v2])
def test_a_proxy_header_from_a_trusted_proxy_names_the_client(start, header):
    srv = start("--trusted-proxies", "127.0.0.1", "--proxy-protocol", "--max-creates-per-minute", "1")

    async def scenario():
        assert (await create_as(srv.url, sock=socket_with(srv.port, header("198.51.100.7"))))["type"] == "init"
        assert await create_as(srv.url, sock=socket_with(srv.port, header("198.51.100.7"))) == \
            {"type": "error", "message": TOO_MANY}
        assert (await create_as(srv.url, sock=socket_with(srv.port, header("2001:db8::77"))))["type"] == "init"
        # X-Forwarded-For is not read when PROXY headers are expected.
        assert await create_as(srv.url, "192.0.2.50", sock=socket_with(srv.port, header("198.51.100.7"))) == \
            {"type": "error", "message": TOO_MANY}

    run(scenario())


def test_with_proxy_protocol_a_trusted_peer_must_send_the_header(start):
    srv = start("--trusted-proxies", "127.0.0.1", "--proxy-protocol")
    answer = rawws.http_exchange(srv.port, rawws.upgrade_request())
    assert answer == b""  # closed: not a PROXY header
    # The proxy's own health check: a v2 LOCAL header, then plain HTTP.
    answer = rawws.http_exchange(srv.port, proxy_v2(None, local=True) + b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"ok\n")
    # A header split across writes still counts.
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    whole = proxy_v1("198.51.100.8") + b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    sock.sendall(whole[:9])
    sock.sendall(whole[9:])
    assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    sock.close()


def test_an_untrusted_peer_is_not_asked_for_a_proxy_header(start):
    srv = start("--trusted-proxies", "10.0.0.0/8", "--proxy-protocol")
    assert run(create_as(srv.url))["type"] == "init"
    answer = rawws.http_exchange(srv.port, proxy_v1("198.51.100.7") + rawws.upgrade_request())
    assert answer.startswith(b"HTTP/1.1 400")  # its PROXY line is just a bad request


def test_connections_per_ip_count_the_forwarded_client(start):
    srv = start("--trusted-proxies", "127.0.0.1", "--max-connections-per-ip", "1")

    async def scenario():
        first = await websockets.connect(srv.url, extra_headers={"X-Forwarded-For": "203.0.113.1"})
        second = await websockets.connect(srv.url, extra_headers={"X-Forwarded-For": "203.0.113.2"})
        with pytest.raises(websockets.exceptions.InvalidStatusCode) as refused:
            await websockets.connect(srv.url, extra_headers={"X-Forwarded-For": "203.0.113.1"})
        assert refused.value.status_code == 503
        await first.close()
        await second.close()

    run(scenario())


def test_bad_proxy_flags_are_refused_at_startup():
    for flags, expected in [(["--trusted-proxies", "10.0.0.0/40"], "bad prefix length"),
                            (["--trusted-proxies", "proxy.example"], "not an IP address or CIDR block"),
                            (["--proxy-protocol"], "--proxy-protocol needs --trusted-proxies")]:
        result = subprocess.run([BINARY, "serve", "--port", "0", "--store", "memory", *flags],
                                capture_output=True, text=True, timeout=10)
        assert result.returncode == 2 and expected in result.stderr, (flags, result.stderr)
