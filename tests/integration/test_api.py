"""The HTTP API under /api/, driven with Python's urllib against the real binary."""
import asyncio
import json
import time
import urllib.error
import urllib.request

import pytest

import v1
import v2
from roomkey_server import RoomkeyServer

KEY = "k3y-for-the-api-tests-0123456789"


def call(srv, method, path, body=None, key=KEY, content_type="application/json", raw=None):
    """(status, headers, parsed JSON body or None)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(f"http://127.0.0.1:{srv.port}{path}", data=data, method=method)
    if key is not None:
        request.add_header("Authorization", f"Bearer {key}")
    if data is not None and content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            status, headers, text = reply.status, reply.headers, reply.read().decode()
    except urllib.error.HTTPError as error:
        status, headers, text = error.code, error.headers, error.read().decode()
    return status, headers, (json.loads(text) if text else None)


@pytest.fixture
def api(tmp_path, store_spec):
    key_file = tmp_path / "api.key"
    key_file.write_text(KEY + "\n")
    srv = RoomkeyServer(store_spec, "--api-key-file", str(key_file), "--api-max-body", "1024",
                        "--threads", "2").start()
    yield srv
    assert srv.stop() == 0


def test_without_the_flag_the_api_is_404(make_server):
    srv = make_server().start()
    status, _, body = call(srv, "POST", "/api/rooms", {})
    assert status == 404 and body["error"] == "not_found"


def test_every_call_needs_the_key(api):
    for key in (None, "wrong-key-of-the-same-length-12345", KEY[:-1]):
        status, headers, body = call(api, "POST", "/api/rooms", {}, key=key)
        assert status == 401 and body["error"] == "unauthorized", (key, body)
        assert headers["WWW-Authenticate"].startswith("Bearer")


def test_create_then_join_and_inspect(api):
    status, _, body = call(api, "POST", "/api/rooms", {"owner": "ana"})
    assert status == 201 and len(body["join"]) == 22
    key = body["join"]
    created = time.time()

    async def scenario():
        ana = await v1.join(api.url, "ana", key)
        ben, joined = await v2.join(api.url, "ben", key)
        status, _, room = call(api, "GET", f"/api/rooms/{key}")
        assert status == 200
        assert room["join"] == key and room["owner"] == "ana"
        assert abs(room["created_at"] - created) < 5
        assert room["epoch"] == joined["epoch"] and room["offset"] == joined["offset"] == 0
        assert sorted(m["person"] for m in room["members"]) == ["ana", "ben"]
        assert joined["you"] in room["members"]
        await ana.close()
        await ben.close()
    asyncio.run(scenario())


def test_publish_reaches_v1_and_v2_members_and_joins_history(api):
    async def scenario():
        ana, key = await v1.create(api.url, "ana")
        ben, joined = await v2.join(api.url, "ben", key)
        await v1.recv_json(ana)  # ben Joined!
        status, _, body = call(api, "POST", f"/api/rooms/{key}/publish", {"data": {"alert": "evacuate"}})
        assert status == 200 and body == {"offset": 1}
        assert await v1.recv_json(ana) == {"type": "message", "person": "server", "data": {"alert": "evacuate"}}
        message = await v1.recv_json(ben)
        assert message["type"] == "message" and message["person"] == "server" and message["from"] == "server"
        assert message["data"] == {"alert": "evacuate"} and message["offset"] == 1
        status, _, body = call(api, "POST", f"/api/rooms/{key}/publish", {"data": [1, 2.5, None], "person": "ops"})
        assert status == 200 and body == {"offset": 2}
        assert (await v1.recv_json(ana))["person"] == "ops"
        assert (await v1.recv_json(ben))["offset"] == 2
        status, _, history = call(api, "GET", f"/api/rooms/{key}/history?since=0&limit=10")
        assert status == 200 and history["epoch"] == joined["epoch"] and history["offset"] == 2
        assert [(p["offset"], p["person"], p["data"]) for p in history["publications"]] == \
            [(1, "server", {"alert": "evacuate"}), (2, "ops", [1, 2.5, None])]
        _, _, later = call(api, "GET", f"/api/rooms/{key}/history?since=1")
        assert [p["offset"] for p in later["publications"]] == [2]
        _, _, limited = call(api, "GET", f"/api/rooms/{key}/history?limit=1")
        assert [p["offset"] for p in limited["publications"]] == [1]
        await ana.close()
        await ben.close()
    asyncio.run(scenario())


def test_publish_into_a_room_nobody_is_in_is_kept_for_the_next_joiner(api):
    _, _, body = call(api, "POST", "/api/rooms", {})
    key = body["join"]
    status, _, published = call(api, "POST", f"/api/rooms/{key}/publish", {"data": "hello"})
    assert status == 200 and published == {"offset": 1}

    async def scenario():
        ben, joined = await v2.join(api.url, "ben", key, since={"epoch": "x", "offset": 0})
        assert joined["offset"] == 1
        await ben.close()
    asyncio.run(scenario())
    _, _, history = call(api, "GET", f"/api/rooms/{key}/history")
    assert [p["data"] for p in history["publications"]] == ["hello"]


def test_kick_by_person_and_by_id(api):
    async def scenario():
        ana, key = await v1.create(api.url, "ana")
        ben, joined = await v2.join(api.url, "ben", key)
        await v1.recv_json(ana)
        cy = await v1.join(api.url, "cy", key, ana)
        await v2.recv_json(ben)  # presence: cy
        status, _, body = call(api, "POST", f"/api/rooms/{key}/kick", {"person": "cy"})
        assert status == 200 and body == {"kicked": 1}
        await v1.expect_error_then_close(cy, "Kicked: the server removed you from the room.")
        assert cy.close_code == 1008
        assert await v1.recv_json(ana) == {"type": "connection_message", "message": "cy Disconnected!"}
        left = await v2.recv_json(ben)
        assert left["event"] == "leave" and left["member"]["person"] == "cy" and left["reason"] == "dropped"
        status, _, body = call(api, "POST", f"/api/rooms/{key}/kick", {"id": joined["you"]["id"]})
        assert status == 200 and body == {"kicked": 1}
        await v2.expect_error(ben, "kicked", closes=1008)
        status, _, body = call(api, "POST", f"/api/rooms/{key}/kick", {"person": "nobody"})
        assert status == 200 and body == {"kicked": 0}
        _, _, room = call(api, "GET", f"/api/rooms/{key}")
        assert [m["person"] for m in room["members"]] == ["ana"]
        await ana.close()
    asyncio.run(scenario())


def test_delete_tells_the_members_and_the_key_is_gone(api):
    async def scenario():
        ana, key = await v1.create(api.url, "ana")
        ben, _ = await v2.join(api.url, "ben", key)
        await v1.recv_json(ana)
        status, _, body = call(api, "DELETE", f"/api/rooms/{key}")
        assert status == 204 and body is None
        assert await v1.recv_json(ana) == {"type": "connection_message", "message": f"{key} Session Destroyed!"}
        assert await v2.recv_json(ben) == {"type": "destroyed", "join": key}
        for ws in (ana, ben):
            await asyncio.wait_for(ws.wait_closed(), 5)
        return key
    key = asyncio.run(scenario())
    assert call(api, "GET", f"/api/rooms/{key}")[0] == 404
    assert call(api, "DELETE", f"/api/rooms/{key}")[0] == 404

    async def join_fails():
        ws = await v1.connect(api.url)
        await ws.send(json.dumps({"type": "init", "person": "cy", "join": key}))
        assert (await v1.recv_json(ws))["message"] == "Join Key Not Found!"
    asyncio.run(join_fails())


@pytest.mark.parametrize("method, path, kwargs, status, code", [
    ("GET", "/api/rooms/no-such-room", {}, 404, "not_found"),
    ("POST", "/api/rooms/no-such-room/publish", {"body": {"data": 1}}, 404, "not_found"),
    ("GET", "/api/nothing-here", {}, 404, "not_found"),
    ("PUT", "/api/rooms", {"body": {}}, 405, "method_not_allowed"),
    ("PATCH", "/api/rooms/abc", {"body": {}}, 405, "method_not_allowed"),
    ("POST", "/api/rooms", {"raw": b"{not json"}, 400, "bad_request"),
    ("POST", "/api/rooms", {"raw": b"[1,2]"}, 400, "bad_request"),
    ("POST", "/api/rooms", {"body": {"owner": 5}}, 400, "bad_request"),
    ("POST", "/api/rooms", {"body": {"owner": "x" * 256}}, 400, "bad_request"),
    ("POST", "/api/rooms", {"body": {"data": 5}}, 400, "bad_request"),
    ("POST", "/api/rooms", {"body": {"ownr": "x"}}, 400, "bad_request"),
    ("POST", "/api/rooms", {"body": {"owner": "x"}, "content_type": "text/plain"}, 415, "unsupported_media_type"),
    ("POST", "/api/rooms", {"raw": b'{"owner":"' + b"x" * 2000 + b'"}'}, 413, "too_large"),
])
def test_errors_are_json_with_the_fitting_status(api, method, path, kwargs, status, code):
    got, headers, body = call(api, method, path, **kwargs)
    assert got == status and body["error"] == code and body["message"], body
    assert headers["Content-Type"] == "application/json"
    if status == 405:
        assert headers["Allow"]


def test_request_errors_inside_a_room(api):
    _, _, body = call(api, "POST", "/api/rooms", {})
    key = body["join"]
    for path, payload in ((f"/api/rooms/{key}/publish", {"person": "x"}),
                          (f"/api/rooms/{key}/kick", {}),
                          (f"/api/rooms/{key}/kick", {"id": "a", "person": "b"})):
        status, _, body = call(api, "POST", path, payload)
        assert status == 400 and body["error"] == "bad_request", (path, payload, body)
    status, _, body = call(api, "GET", f"/api/rooms/{key}/history?since=abc")
    assert status == 400


def test_the_server_keeps_serving_after_api_abuse(api):
    for _ in range(50):
        call(api, "POST", "/api/rooms", raw=b"\x00\xff" * 100)
        call(api, "DELETE", "/api/rooms/" + "%zz")
        call(api, "GET", "/api/rooms/" + "a" * 300)
    asyncio.run(v1.assert_server_still_serves(api.url))


def test_the_api_over_tls(tmp_path):
    import ssl
    from tls_files import make_pair
    cert, private_key = make_pair(tmp_path, "tls")
    key_file = tmp_path / "api.key"
    key_file.write_text(KEY + "\n")
    srv = RoomkeyServer("memory", "--tls-cert", str(cert), "--tls-key", str(private_key),
                        "--api-key-file", str(key_file)).start()
    try:
        context = ssl.create_default_context(cafile=str(cert))
        request = urllib.request.Request(f"https://127.0.0.1:{srv.port}/api/rooms", data=b'{"owner":"ana"}',
                                         method="POST", headers={"Authorization": f"Bearer {KEY}",
                                                                 "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10, context=context) as reply:
            assert reply.status == 201 and len(json.loads(reply.read())["join"]) == 22
    finally:
        assert srv.stop() == 0


def test_a_key_file_with_a_short_key_is_a_usage_error(tmp_path):
    import subprocess
    from roomkey_server import BINARY, server_environment
    short = tmp_path / "short.key"
    short.write_text("tooshort\n")
    result = subprocess.run([BINARY, "serve", "--port", "0", "--store", "memory", "--api-key-file", str(short)],
                            capture_output=True, text=True, timeout=10, env=server_environment())
    assert result.returncode == 2 and "16 characters" in result.stderr


def test_a_body_sent_in_pieces_is_read_whole(api):
    import socket
    body = json.dumps({"owner": "x" * 250, "padding": None}).encode().replace(b', "padding": null', b" " * 400)
    head = (f"POST /api/rooms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", api.port), timeout=10) as conn:
        conn.sendall(head)
        for start in range(0, len(body), 100):
            time.sleep(0.02)
            conn.sendall(body[start:start + 100])
        answer = b""
        while chunk := conn.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 201 "), answer
    key = json.loads(answer.split(b"\r\n\r\n", 1)[1])["join"]
    assert call(api, "GET", f"/api/rooms/{key}")[2]["owner"] == "x" * 250
