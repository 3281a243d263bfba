"""GET /metrics (Prometheus text, checked against the traffic this test made), /readyz and /healthz."""
import asyncio
import json
import re
import time
import urllib.error
import urllib.request

import v1
from redis_instance import RedisInstance
from roomkey_server import RoomkeyServer

SAMPLE = re.compile(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$')


def get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as reply:
            return reply.status, reply.headers.get("Content-Type"), reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type"), error.read().decode()


def scrape(port):
    """{(name, frozenset of label pairs): value}, checking every line is valid exposition format."""
    status, content_type, text = get(port, "/metrics")
    assert status == 200 and content_type.startswith("text/plain; version=0.0.4")
    samples, typed = {}, set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
            continue
        if line.startswith("# HELP "):
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        name, labels, value = match.groups()
        family = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in typed or family in typed, f"{name} has no # TYPE"
        pairs = frozenset(re.findall(r'(\w+)="([^"]*)"', labels or ""))
        samples[(name, pairs)] = float(value)
    return samples


def value(samples, name, **labels):
    return samples[(name, frozenset(labels.items()))]


def test_metrics_count_the_traffic_the_test_made(tmp_path):
    srv = RoomkeyServer(f"sqlite:{tmp_path / 'rooms.db'}", "--max-room-members", "4",
                        "--max-messages-per-second", "5", "--threads", "2").start()
    try:
        start = scrape(srv.port)
        build = [labels for (name, labels) in start if name == "roomkey_build_info"]
        assert len(build) == 1 and dict(build[0])["version"] and start[("roomkey_build_info", build[0])] == 1
        assert value(start, "roomkey_deliveries_total") == 0
        assert value(start, "roomkey_connections", protocol="http") == 1  # the scrape itself

        async def scenario():
            key, (ana, ben, cy) = await v1.room(srv.url, "ana", "ben", "cy")
            dee = await v1.connect(srv.url)
            await dee.send(json.dumps({"type": "init", "v": 2, "person": "dee", "join": key}))
            assert (await v1.recv_json(dee))["type"] == "joined"
            for other in (ana, ben, cy):
                await v1.recv_json(other)  # dee Joined!
            for i in range(4):  # 4 publications, 3 recipients each: 12 deliveries
                await ana.send(json.dumps({"type": "message", "data": i}))
                for other in (ben, cy, dee):
                    assert (await v1.recv_json(other))["data"] == i
            eve = await v1.connect(srv.url)  # a fifth member: the room is full
            await eve.send(json.dumps({"type": "init", "person": "eve", "join": key}))
            await v1.expect_error_then_close(eve, "Room is full: it has reached the server's member limit.")
            silent = await v1.connect(srv.url)  # upgraded, nothing sent yet

            during = scrape(srv.port)
            assert value(during, "roomkey_connections", protocol="v1") == 4  # ana, ben, cy, silent
            assert value(during, "roomkey_connections", protocol="v2") == 1
            assert value(during, "roomkey_connections", protocol="http") == 1
            assert value(during, "roomkey_rooms_in_memory") == 1
            assert value(during, "roomkey_deliveries_total") == 12
            assert value(during, "roomkey_messages_received_total") == 5 + 4  # five inits, four messages
            assert value(during, "roomkey_limit_refusals_total", limit="room_members") == 1
            assert value(during, "roomkey_closes_total", code="1008", by="server") == 1
            assert value(during, "roomkey_connections_accepted_total") == 7 + 1  # and the first scrape

            # Past ana's allowance (5 a second, bursts of 10): each refused message is an error to her.
            for i in range(8):
                await ana.send(json.dumps({"type": "message", "data": 100 + i}))
            errors = 0
            passed = 0
            deadline = asyncio.get_running_loop().time() + 2
            while asyncio.get_running_loop().time() < deadline and errors + passed < 8:
                try:
                    message = await v1.recv_json(ben, timeout=0.3)
                    passed += message.get("type") == "message"
                except asyncio.TimeoutError:
                    pass
                try:
                    while True:
                        message = await v1.recv_json(ana, timeout=0.05)
                        errors += message.get("type") == "error"
                except asyncio.TimeoutError:
                    pass
            assert errors > 0 and errors + passed == 8, (errors, passed)
            await ben.close()  # a close begun by the client, 1000
            await asyncio.sleep(0.2)
            return errors

        errors = asyncio.run(scenario())
        end = scrape(srv.port)
        assert value(end, "roomkey_limit_refusals_total", limit="messages_per_second") == errors
        assert value(end, "roomkey_closes_total", code="1000", by="client") == 1
        assert value(end, "roomkey_received_bytes_total") > value(start, "roomkey_received_bytes_total")
        assert value(end, "roomkey_sent_bytes_total") > 12 * len('{"type":"message","person":"ana","data":0}')
        creates = [value(end, "roomkey_store_request_duration_seconds_bucket", op="create", le=le)
                   for (name, labels) in end if name == "roomkey_store_request_duration_seconds_bucket"
                   and dict(labels)["op"] == "create" for le in [dict(labels)["le"]]]
        assert creates == sorted(creates) and creates[-1] == 1  # cumulative, one create
        assert value(end, "roomkey_store_request_duration_seconds_count", op="create") == 1
        assert value(end, "roomkey_store_errors_total", op="create") == 0
    finally:
        assert srv.stop() == 0


def test_readyz_follows_the_store_while_healthz_only_says_the_process_lives():
    redis = RedisInstance().start()
    srv = RoomkeyServer(redis.url).start()
    try:
        assert get(srv.port, "/readyz")[0] == 200
        redis.pause()  # SIGSTOP: connected, silent
        status, _, text = get(srv.port, "/readyz")
        assert status == 503 and "room store" in text, text
        assert get(srv.port, "/healthz")[:1] == (200,)
        redis.resume()
        deadline = time.monotonic() + 10
        while get(srv.port, "/readyz")[0] != 200:
            assert time.monotonic() < deadline, "not ready again after Redis came back"
            time.sleep(0.2)
        errors = scrape(srv.port)
        assert value(errors, "roomkey_store_errors_total", op="lookup") >= 1  # the probe that failed
    finally:
        srv.stop()
        redis.destroy()


def test_metrics_port_serves_metrics_apart_from_the_public_port(tmp_path):
    import socket
    with socket.socket() as probe:  # a free port for --metrics-port
        probe.bind(("127.0.0.1", 0))
        metrics_port = probe.getsockname()[1]
    srv = RoomkeyServer("memory", "--metrics-port", str(metrics_port)).start()
    try:
        assert any(f"metrics on http://127.0.0.1:{metrics_port}/metrics" in line for line in srv.log_lines)
        samples = scrape(metrics_port)
        assert value(samples, "roomkey_connections", protocol="http") == 1
        assert get(metrics_port, "/healthz")[0] == 200 and get(metrics_port, "/readyz")[0] == 200
        assert get(metrics_port, "/anything")[0] == 404
        assert get(srv.port, "/metrics")[0] != 200  # no longer on the public port
        assert get(srv.port, "/healthz")[0] == 200
        asyncio.run(v1.assert_server_still_serves(srv.url))
        after = scrape(metrics_port)
        assert value(after, "roomkey_connections_accepted_total") >= 3
    finally:
        assert srv.stop() == 0
