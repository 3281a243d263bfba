"""The page at / over plain HTTP (urllib): what is served, with which
headers, and --no-web. The page itself, in a browser, is tests/browser/."""
import asyncio
import pathlib
import re
import ssl
import urllib.error
import urllib.request

import pytest

import v2
from roomkey_server import RoomkeyServer

CLIENTS = pathlib.Path(__file__).resolve().parents[2] / "clients"
ASSETS = {
    "/": (CLIENTS / "web" / "index.html", "text/html; charset=utf-8"),
    "/app.js": (CLIENTS / "web" / "app.js", "text/javascript; charset=utf-8"),
    "/style.css": (CLIENTS / "web" / "style.css", "text/css; charset=utf-8"),
    "/roomkey.js": (CLIENTS / "js" / "roomkey.js", "text/javascript; charset=utf-8"),
}


def get(srv, path, method="GET", headers=None, scheme="http", context=None):
    """(status, headers, body bytes)."""
    request = urllib.request.Request(f"{scheme}://127.0.0.1:{srv.port}{path}", method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as reply:
            return reply.status, reply.headers, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def web():
    srv = RoomkeyServer("memory").start()
    yield srv
    assert srv.stop() == 0


def test_the_page_and_its_files_are_served_as_they_are_in_clients(web):
    for path, (source, content_type) in ASSETS.items():
        status, headers, body = get(web, path)
        assert status == 200, path
        assert headers["Content-Type"] == content_type, path
        # The binary holds the files as they are in the tree: rebuilt when one changes.
        assert body == source.read_bytes(), f"{path} differs from {source}: rebuild"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-cache"


def test_the_page_loads_nothing_from_elsewhere(web):
    _, headers, body = get(web, "/")
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "connect-src 'self' ws: wss:" in policy
    page = body.decode()
    for asset in ("/app.js", "/style.css"):
        assert f'"{asset}"' in page
    # No absolute or protocol-relative URL where a browser would fetch it
    # (an attribute, an import, a string, url(...)); the SVG namespace is a name, not a fetch.
    fetched = re.compile(r"""["'`(=]\s*(?:https?:)?//[A-Za-z0-9]""")
    for path in ASSETS:
        text = get(web, path)[2].decode().replace('"http://www.w3.org/2000/svg"', "")
        assert not fetched.search(text), (path, fetched.search(text))


def test_an_unchanged_file_is_not_sent_again(web):
    _, headers, body = get(web, "/app.js")
    etag = headers["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    status, headers, body = get(web, "/app.js", headers={"If-None-Match": etag})
    assert status == 304 and body == b"" and headers["ETag"] == etag and "Content-Length" not in headers
    status, _, body = get(web, "/app.js", headers={"If-None-Match": '"something-else"'})
    assert status == 200 and body


def test_other_paths_and_methods_still_point_at_websocket(web):
    assert get(web, "/nothing-here")[0] == 426
    status, headers, _ = get(web, "/", method="POST")
    assert status == 405 and headers["Allow"] == "GET"


def test_a_websocket_upgrade_at_slash_still_is_one(web):
    async def scenario():
        ws, joined = await v2.create(web.url, "ana")
        assert joined["created"] is True
        await ws.close()
    asyncio.run(scenario())


def test_no_web_turns_the_page_off():
    srv = RoomkeyServer("memory", "--no-web").start()
    try:
        for path in ASSETS:
            status, headers, _ = get(srv, path)
            assert status == 426 and headers["Upgrade"] == "websocket", path
        assert get(srv, "/healthz")[0] == 200
    finally:
        assert srv.stop() == 0


def test_the_page_is_served_over_tls(tmp_path):
    from tls_files import make_pair
    cert, private_key = make_pair(tmp_path, "tls")
    srv = RoomkeyServer("memory", "--tls-cert", str(cert), "--tls-key", str(private_key)).start()
    try:
        context = ssl.create_default_context(cafile=str(cert))
        status, headers, body = get(srv, "/", scheme="https", context=context)
        assert status == 200 and b"<title>roomkey</title>" in body
        assert get(srv, "/roomkey.js", scheme="https", context=context)[0] == 200
    finally:
        assert srv.stop() == 0
