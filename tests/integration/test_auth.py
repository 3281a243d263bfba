"""Token auth (--auth-key): tokens minted with Debian's python3-jwt, clients
on python3-websockets and raw HTTP. Every rejection the issue lists, the
claims that name a member and limit what it may do, expiry and v2 refresh."""
import asyncio
import base64
import hashlib
import hmac
import json
import socket
import subprocess
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import v1
import v2
from roomkey_server import BINARY
from v1 import recv_json

SECRET = "0123456789abcdef0123456789abcdef-roomkey-test"


def run(coro):
    return asyncio.run(coro)


def hs256(secret=SECRET, **claims):
    body = {"sub": "alice", "exp": int(time.time()) + 600, **claims}
    return jwt.encode({k: v for k, v in body.items() if v is not None}, secret, algorithm="HS256")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_by_hand(claims, secret):
    """What PyJWT refuses to make: an HS256 token whose secret is a public key."""
    signed = b64url(b'{"alg":"HS256","typ":"JWT"}') + "." + b64url(json.dumps(claims).encode())
    return signed + "." + b64url(hmac.new(secret, signed.encode(), hashlib.sha256).digest())




@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret"
    path.write_text(SECRET + "\n")  # one trailing newline is not part of the secret
    return path


@pytest.fixture
def server(start, secret_file):
    return start("--auth-key", str(secret_file), "--auth-leeway", "0")


async def init_v1(url, token=None, person="someone", join=None, url_token=None):
    ws = await v1.connect(url + (f"/?token={url_token}" if url_token else ""))
    message = {"type": "init", "person": person}
    if token is not None:
        message["token"] = token
    if join is not None:
        message["join"] = join
    await ws.send(json.dumps(message))
    return ws


async def init_v2(url, token=None, person="someone", join=None):
    ws = await v2.connect(url)
    await ws.send(v2.init(person, join, token=token) if token is not None else v2.init(person, join))
    return ws


# The liveness sweep, which also closes expired tokens, runs every 2.5 s at
# the default timeouts: an expiry may be seen that much late.
EXPIRY_SLACK = 10


async def expect_v2_error_then_close(ws, code, message):
    reply = await recv_json(ws, timeout=EXPIRY_SLACK)
    assert reply == {"type": "error", "code": code, "message": message}, reply
    await asyncio.wait_for(ws.wait_closed(), 5)
    assert ws.close_code == 1008


async def expect_v1_error_then_close(ws, message):
    assert await recv_json(ws, timeout=EXPIRY_SLACK) == {"type": "error", "message": message}
    await asyncio.wait_for(ws.wait_closed(), 5)
    assert ws.close_code == 1008


def test_without_a_token_an_init_is_refused_in_both_protocols(server):
    async def scenario():
        await expect_v1_error_then_close(await init_v1(server.url), "Unauthorized: no token.")
        await expect_v2_error_then_close(await init_v2(server.url), "unauthorized", "Unauthorized: no token.")

    run(scenario())


@pytest.mark.parametrize("case", ["bad signature", "alg none", "wrong key type", "expired", "not yet valid",
                                  "no sub", "no exp", "malformed"])
def test_every_bad_token_is_refused_with_its_reason(server, case, tmp_path):
    now = int(time.time())
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tokens = {
        "bad signature": (hs256(secret="another-secret-that-is-long-enough-1234"), "unauthorized",
                          "bad token signature"),
        "alg none": (jwt.encode({"sub": "alice", "exp": now + 600}, None, algorithm="none"), "unauthorized",
                     "token algorithm must be HS256"),
        "wrong key type": (jwt.encode({"sub": "alice", "exp": now + 600}, rsa_key, algorithm="RS256"),
                           "unauthorized", "token algorithm must be HS256"),
        "expired": (hs256(exp=now - 5), "token_expired", "token expired"),
        "not yet valid": (hs256(nbf=now + 300), "unauthorized", "token not valid yet"),
        "no sub": (hs256(sub=None), "unauthorized", 'the token needs a "sub" (a string of 1 to 256 bytes)'),
        "no exp": (hs256(exp=None), "unauthorized", 'the token needs an "exp"'),
        "malformed": ("not.a-token", "unauthorized", "malformed token"),
    }
    token, code, reason = tokens[case]

    async def scenario():
        await expect_v1_error_then_close(await init_v1(server.url, token), f"Unauthorized: {reason}.")
        await expect_v2_error_then_close(await init_v2(server.url, token), code, f"Unauthorized: {reason}.")

    run(scenario())


def test_a_bad_token_in_the_upgrade_url_gets_401_and_no_websocket(server):
    for token in ["garbage", hs256(secret="another-secret-that-is-long-enough-1234")]:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
            conn.sendall((f"GET /?token={token} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          "Sec-WebSocket-Version: 13\r\n\r\n").encode())
            answer = conn.recv(4096).decode()
        assert answer.startswith("HTTP/1.1 401 Unauthorized"), answer
        assert "Unauthorized: " in answer and token not in answer


def test_the_token_names_the_member_and_the_clients_person_is_ignored(server):
    async def scenario():
        creator = await init_v1(server.url, hs256(sub="u-1", name="Alice"), person="Mallory")
        key = (await recv_json(creator))["join"]
        # A v2 member joins with the token in the URL; no "person" needed.
        member = await v2.connect(server.url + "/?token=" + hs256(sub="u-2"))
        await member.send(json.dumps({"type": "init", "v": 2, "join": key}))
        joined = await recv_json(member)
        assert joined["you"]["person"] == "u-2"  # no name claim: the sub
        assert [m["person"] for m in joined["members"]] == ["Alice", "u-2"]
        assert await recv_json(creator) == {"type": "connection_message", "message": "u-2 Joined!"}
        await creator.send(json.dumps({"type": "message", "data": "hi", "person": "Bob"}))
        seen = await recv_json(member)
        assert seen["person"] == "Alice" and seen["data"] == "hi"
        await creator.close()
        await member.close()

    run(scenario())


def test_rooms_and_create_claims_limit_what_a_token_may_do(server):
    async def scenario():
        owner = await init_v1(server.url, hs256())
        key = (await recv_json(owner))["join"]
        await expect_v1_error_then_close(await init_v1(server.url, hs256(create=False)),
                                         "Forbidden: this token may not create rooms.")
        await expect_v2_error_then_close(await init_v2(server.url, hs256(create=False)), "forbidden",
                                         "Forbidden: this token may not create rooms.")
        await expect_v2_error_then_close(await init_v2(server.url, hs256(rooms=["someotherkey"]), join=key),
                                         "forbidden", "Forbidden: this token may not join this room.")
        allowed = await init_v2(server.url, hs256(sub="bob", rooms=[key], create=False), join=key)
        assert (await recv_json(allowed))["type"] == "joined"
        anywhere = await init_v2(server.url, hs256(sub="carol", rooms="*"), join=key)
        assert (await recv_json(anywhere))["type"] == "joined"
        for ws in (owner, allowed, anywhere):
            await ws.close()

    run(scenario())


def test_issuer_and_audience_are_checked_when_configured(start, secret_file):
    srv = start("--auth-key", str(secret_file), "--auth-issuer", "https://app.example",
                "--auth-audience", "roomkey")

    async def scenario():
        good = await init_v2(srv.url, hs256(iss="https://app.example", aud=["other", "roomkey"]))
        assert (await recv_json(good))["type"] == "joined"
        await good.close()
        await expect_v2_error_then_close(await init_v2(srv.url, hs256(iss="https://evil.example", aud="roomkey")),
                                         "unauthorized", "Unauthorized: wrong token issuer.")
        await expect_v2_error_then_close(await init_v2(srv.url, hs256(iss="https://app.example", aud="other")),
                                         "unauthorized", "Unauthorized: wrong token audience.")

    run(scenario())


@pytest.mark.parametrize("kind", ["RS256", "ES256"])
def test_public_key_tokens_verify_and_a_token_for_another_key_does_not(start, tmp_path, kind):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048) if kind == "RS256" \
        else ec.generate_private_key(ec.SECP256R1())
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048) if kind == "RS256" \
        else ec.generate_private_key(ec.SECP256R1())
    pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    (tmp_path / "public.pem").write_bytes(pem)
    srv = start("--auth-key", str(tmp_path / "public.pem"))
    claims = {"sub": "dana", "exp": int(time.time()) + 600}

    async def scenario():
        good = await init_v2(srv.url, jwt.encode(claims, private, algorithm=kind))
        assert (await recv_json(good))["you"]["person"] == "dana"
        await good.close()
        await expect_v2_error_then_close(await init_v2(srv.url, jwt.encode(claims, other, algorithm=kind)),
                                         "unauthorized", "Unauthorized: bad token signature.")
        # HS256 signed with the public key's text as the secret: the old key-confusion attack.
        confused = hs256_by_hand(claims, pem)
        await expect_v2_error_then_close(await init_v2(srv.url, confused), "unauthorized",
                                         f"Unauthorized: token algorithm must be {kind}.")

    run(scenario())


def test_at_expiry_v1_is_closed_and_v2_may_refresh_with_the_same_sub(server):
    async def scenario():
        short = int(time.time()) + 2
        old = await init_v1(server.url, hs256(sub="v1-user", exp=short))
        key = (await recv_json(old))["join"]
        fresh = await init_v2(server.url, hs256(sub="v2-user", exp=short), join=key)
        joined = await recv_json(fresh)
        assert joined["type"] == "joined"
        v1_member = next(m for m in joined["members"] if m["person"] == "v1-user")
        assert await recv_json(old) == {"type": "connection_message", "message": "v2-user Joined!"}

        await fresh.send(json.dumps({"type": "refresh", "token": hs256(sub="someone-else")}))
        assert await recv_json(fresh) == {"type": "error", "code": "forbidden",
                                          "message": 'Forbidden: a refreshed token must have the same "sub".'}
        await fresh.send(json.dumps({"type": "refresh", "token": "junk"}))
        assert (await recv_json(fresh))["code"] == "unauthorized"
        new_exp = int(time.time()) + 600
        await fresh.send(json.dumps({"type": "refresh", "token": hs256(sub="v2-user", exp=new_exp)}))
        assert await recv_json(fresh) == {"type": "refreshed", "exp": new_exp}

        # The v1 member's token runs out: it is closed, and the room hears it leave.
        await expect_v1_error_then_close(old, "Unauthorized: token expired.")
        assert await recv_json(fresh) == {"type": "presence", "event": "leave", "member": v1_member,
                                          "reason": "dropped"}
        # The refreshed v2 member outlives its first token.
        await asyncio.sleep(max(0.0, short + 1.5 - time.time()))
        await fresh.send(json.dumps({"type": "presence"}))
        assert (await recv_json(fresh))["type"] == "presence"
        await fresh.close()

    run(scenario())


def test_v2_without_a_refresh_is_closed_at_expiry(server):
    async def scenario():
        ws = await init_v2(server.url, hs256(exp=int(time.time()) + 1))
        assert (await recv_json(ws))["type"] == "joined"
        await expect_v2_error_then_close(ws, "token_expired", "Unauthorized: token expired.")

    run(scenario())


def test_tokens_never_reach_the_log(start, secret_file):
    srv = start("--auth-key", str(secret_file), "--log-level", "debug")
    bad = hs256(secret="another-secret-that-is-long-enough-1234")
    good = hs256()

    async def scenario():
        for token in (bad, good):
            ws = await init_v2(srv.url, token)
            await recv_json(ws)
            await ws.close()

    run(scenario())
    srv.stop()
    log = "".join(srv.log_lines)
    assert bad not in log and good not in log
    assert bad.split(".")[2] not in log and good.split(".")[2] not in log


def test_bad_auth_keys_are_refused_at_startup(tmp_path):
    short = tmp_path / "short"
    short.write_text("too short\n")
    private = tmp_path / "private.pem"
    private.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    p384 = tmp_path / "p384.pem"
    p384.write_bytes(ec.generate_private_key(ec.SECP384R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    cases = [(short, "an HS256 secret must be at least 32 bytes"), (private, "expected a public key"),
             (p384, "an EC key must be on P-256")]
    for path, expected in cases:
        result = subprocess.run([BINARY, "serve", "--port", "0", "--store", "memory", "--auth-key", str(path)],
                                capture_output=True, text=True, timeout=10)
        assert result.returncode == 2 and expected in result.stderr, (path, result.stderr)


def test_bench_mints_a_token_per_client_or_sends_the_one_given(start, secret_file):
    srv = start("--auth-key", str(secret_file), "--max-messages-per-second", "0")
    for flags in (["--auth-key", str(secret_file)], ["--token", hs256(sub="bench")]):
        result = subprocess.run([BINARY, "bench", "--port", str(srv.port), "--rooms", "3", "--members", "3",
                                 "--inflight", "4", "--duration", "1", "--warmup", "0.2", *flags],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout.strip().splitlines()[-1])
        assert report["delivered"] > 50 and report["missing"] == 0 and report["error_msgs"] == 0, report
    result = subprocess.run([BINARY, "bench", "--port", str(srv.port), "--rooms", "1", "--members", "2",
                             "--duration", "1"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Unauthorized: no token." in result.stderr
