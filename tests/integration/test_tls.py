"""TLS (--tls-cert/--tls-key): wss:// and https:// with certificates made at
test time by openssl, driven by Python's ssl module and python3-websockets.
The clients trust the test certificate through SSL_CERT_FILE, so the
protocol helpers connect to wss:// URLs unchanged."""
import asyncio
import http.client
import json
import shutil
import signal
import socket
import ssl
import subprocess
import time

import pytest

import v1
import v2
from roomkey_server import BINARY
from tls_files import bundle, make_pair
from v1 import recv_json


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def pairs(tmp_path, monkeypatch):
    """Two certificate/key pairs ("alpha", "beta"), both trusted by clients."""
    alpha = make_pair(tmp_path, "alpha")
    beta = make_pair(tmp_path, "beta", key_type="rsa")
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle(tmp_path, alpha[0], beta[0])))
    return {"alpha": alpha, "beta": beta}




@pytest.fixture
def tls_server(start, pairs, tmp_path):
    """roomkey serving the alpha pair from files that tests may replace."""
    cert, key = tmp_path / "served.crt", tmp_path / "served.key"
    shutil.copy(pairs["alpha"][0], cert)
    shutil.copy(pairs["alpha"][1], key)
    return start("--tls-cert", str(cert), "--tls-key", str(key), "--handshake-timeout", "1")


def client_context(minimum=None, maximum=None, alpn=None):
    context = ssl.create_default_context()
    if minimum:
        context.minimum_version = minimum
    if maximum:
        context.maximum_version = maximum
    if alpn:
        context.set_alpn_protocols(alpn)
    return context


def tls_socket(port, context):
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    return context.wrap_socket(raw, server_hostname="127.0.0.1")


def served_common_name(port):
    with tls_socket(port, client_context()) as conn:
        subject = dict(item[0] for item in conn.getpeercert()["subject"])
        return subject["commonName"]


def test_protocol_v1_and_v2_members_talk_over_wss(tls_server):
    assert tls_server.url.startswith("wss://")

    async def scenario():
        key, (a, b) = await v1.room(tls_server.url, "ana", "ben")
        c, joined = await v2.join(tls_server.url, "cleo", key)
        for ws in (a, b):
            assert await recv_json(ws) == {"type": "connection_message", "message": "cleo Joined!"}
        await a.send(json.dumps({"type": "Location Data", "latitude": 52.5, "longitude": 13.4}))
        assert await recv_json(b) == {"type": "Location Data", "person": "ana", "latitude": 52.5, "longitude": 13.4}
        seen = await recv_json(c)
        assert seen["type"] == "Location Data" and seen["person"] == "ana" and seen["offset"] == joined["offset"] + 1
        for ws in (a, b, c):
            await ws.close()

    run(scenario())


def test_a_message_bigger_than_many_tls_records_arrives_whole(tls_server):
    async def scenario():
        key, (a, b) = await v1.room(tls_server.url, "ana", "ben")
        data = "x" * 300_000 + "".join(chr(0x41 + i % 26) for i in range(1000))
        await a.send(json.dumps({"type": "message", "data": data}))
        assert await recv_json(b) == {"type": "message", "person": "ana", "data": data}
        await a.close()
        await b.close()

    run(scenario())


def test_https_serves_the_health_check(tls_server):
    conn = http.client.HTTPSConnection("127.0.0.1", tls_server.port, timeout=5, context=client_context())
    conn.request("GET", "/healthz")
    response = conn.getresponse()
    assert response.status == 200
    assert response.read().strip() == b"ok"
    conn.close()


def test_alpn_selects_http_1_1_and_refuses_other_protocols(tls_server):
    with tls_socket(tls_server.port, client_context(alpn=["h2", "http/1.1"])) as conn:
        assert conn.selected_alpn_protocol() == "http/1.1"
    with pytest.raises(ssl.SSLError, match="NO_APPLICATION_PROTOCOL|no application protocol"):
        tls_socket(tls_server.port, client_context(alpn=["h2"])).close()


def test_tls_1_2_and_1_3_are_served(tls_server):
    with tls_socket(tls_server.port, client_context(maximum=ssl.TLSVersion.TLSv1_2)) as conn:
        assert conn.version() == "TLSv1.2"
        assert "GCM" in conn.cipher()[0] or "CHACHA20" in conn.cipher()[0]
    with tls_socket(tls_server.port, client_context(minimum=ssl.TLSVersion.TLSv1_3)) as conn:
        assert conn.version() == "TLSv1.3"


def test_tls_1_1_is_refused_by_the_server(tls_server):
    # The client is made willing to speak TLS 1.1 (security level 0), so the
    # refusal is the server's: a protocol_version alert.
    result = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{tls_server.port}", "-tls1_1",
                             "-cipher", "DEFAULT@SECLEVEL=0"],
                            input="", capture_output=True, text=True, timeout=10)
    assert result.returncode != 0
    assert "alert protocol version" in result.stderr or "unsupported protocol" in result.stderr, result.stderr
    assert "no peer certificate available" in result.stdout  # no handshake took place


def test_a_plaintext_client_on_the_tls_port_is_closed(tls_server):
    with socket.create_connection(("127.0.0.1", tls_server.port), timeout=5) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                break
            received += chunk
        assert b"HTTP/1.1" not in received  # at most a TLS alert, never an answer in clear


def test_a_stalled_tls_handshake_neither_blocks_others_nor_lives_past_the_timeout(tls_server):
    stalled = socket.create_connection(("127.0.0.1", tls_server.port), timeout=5)
    stalled.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # the start of a ClientHello, then nothing
    started = time.monotonic()

    async def others():
        key, members = await v1.room(tls_server.url, *[f"p{i}" for i in range(5)])
        await members[0].send(json.dumps({"type": "message", "data": "through"}))
        for ws in members[1:]:
            assert await recv_json(ws) == {"type": "message", "person": "p0", "data": "through"}
        for ws in members:
            await ws.close()

    run(others())
    stalled.settimeout(5)
    assert stalled.recv(4096) == b""  # closed by the server (--handshake-timeout 1)
    assert time.monotonic() - started < 4
    stalled.close()


def test_sighup_serves_a_new_certificate_to_new_clients_and_keeps_open_connections(tls_server, pairs, tmp_path):
    assert served_common_name(tls_server.port) == "alpha"

    async def scenario():
        old, key = await v1.create(tls_server.url, "old")
        shutil.copy(pairs["beta"][0], tmp_path / "served.crt")
        shutil.copy(pairs["beta"][1], tmp_path / "served.key")
        tls_server.signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while served_common_name(tls_server.port) != "beta":
            assert time.monotonic() < deadline, "the new certificate was not served"
            await asyncio.sleep(0.05)
        new = await v1.join(tls_server.url, "new", key, old)
        await old.send(json.dumps({"type": "message", "data": "from before the reload"}))
        assert await recv_json(new) == {"type": "message", "person": "old", "data": "from before the reload"}

        # A pair that does not load changes nothing.
        (tmp_path / "served.key").write_text("not a key\n")
        tls_server.signal(signal.SIGHUP)
        await asyncio.sleep(0.3)
        assert served_common_name(tls_server.port) == "beta"
        await new.send(json.dumps({"type": "message", "data": "still here"}))
        assert await recv_json(old) == {"type": "message", "person": "new", "data": "still here"}
        await old.close()
        await new.close()

    run(scenario())
    tls_server.stop()
    log = "".join(tls_server.log_lines)
    assert "SIGHUP: loaded certificate" in log
    assert "SIGHUP: keeping the current certificate: cannot load the private key" in log


def test_bad_tls_flags_are_refused_at_startup_with_a_clear_error(pairs, tmp_path):
    cert, key = pairs["alpha"]
    other_key = pairs["beta"][1]
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("hello\n")
    cases = [
        (["--tls-cert", str(cert)], "--tls-cert and --tls-key go together"),
        (["--tls-cert", str(cert), "--tls-key", str(tmp_path / "missing.key")], "File does not exist"),
        (["--tls-cert", str(garbage), "--tls-key", str(key)], "cannot load the certificate"),
        (["--tls-cert", str(cert), "--tls-key", str(garbage)], "cannot load the private key"),
        (["--tls-cert", str(cert), "--tls-key", str(other_key)], "does not match the certificate"),
    ]
    for flags, expected in cases:
        result = subprocess.run([BINARY, "serve", "--port", "0", "--store", "memory", *flags],
                                capture_output=True, text=True, timeout=10)
        assert result.returncode == 2, (flags, result)
        assert expected in result.stdout + result.stderr, (flags, result.stdout, result.stderr)


def test_bench_drives_a_tls_server(tls_server):
    result = subprocess.run([BINARY, "bench", "--tls", "--port", str(tls_server.port), "--rooms", "4",
                             "--members", "4", "--inflight", "4", "--duration", "1", "--warmup", "0.2"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["delivered"] > 100 and report["missing"] == 0 and report["wrong_room"] == 0, report
