"""`roomkey connect`, the terminal client, driven through pipes as a script
would drive it, against the real server. The other member is a second
`roomkey connect`, or Debian's python3-websockets as an independent client.
No timing is asserted: waits for output have generous deadlines."""
import asyncio
import json
import os
import queue
import signal
import socket
import subprocess
import threading
import time

import jwt
import pytest

import v1
import v2
from roomkey_server import BINARY, server_environment
from tls_files import make_pair
from v1 import recv_json

DEADLINE = 15  # seconds to wait for a line, or for an exit


def client_environment(**overrides):
    """The tests' environment without what would change the client's
    defaults (a CA bundle, the user name) unless a test sets it."""
    env = {k: v for k, v in server_environment().items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR", "USER")}
    env.update(overrides)
    return env


class Connect:
    """One `roomkey connect` with its stdin, stdout and stderr on pipes. A
    thread collects stdout lines so that a test can wait for one."""

    def __init__(self, url, *args, stdin=subprocess.PIPE, env=None):
        self.process = subprocess.Popen([BINARY, "connect", url, *args], stdin=stdin, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, env=env or client_environment())
        self.lines = queue.Queue()
        self.seen = []  # every stdout line so far
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def expect(self, wanted, timeout=DEADLINE):
        """Waits for a stdout line equal to `wanted` (or for which `wanted`,
        a function, is true) and returns it; the lines before it are skipped."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line {wanted!r} within {timeout} s; seen: {self.seen}")
            if line is None:
                self.lines.put(None)
                raise AssertionError(f"stdout ended without {wanted!r}; seen: {self.seen}; "
                                     f"stderr: {self.stderr_if_done()}")
            self.seen.append(line)
            if (wanted(line) if callable(wanted) else line == wanted):
                return line

    def rest(self, timeout=DEADLINE):
        """Every stdout line still to come, once the process has ended."""
        out = []
        deadline = time.monotonic() + timeout
        while (line := self.lines.get(timeout=max(0.0, deadline - time.monotonic()))) is not None:
            self.seen.append(line)
            out.append(line)
        self.lines.put(None)
        return out

    def send(self, *lines):
        for line in lines:
            self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def end_input(self):
        self.process.stdin.close()

    def wait(self, timeout=DEADLINE):
        """Exit status and stderr."""
        code = self.process.wait(timeout)
        return code, self.process.stderr.read()

    def stderr_if_done(self):
        return self.process.stderr.read() if self.process.poll() is not None else "(still running)"

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def clients():
    """Starts `roomkey connect` processes; kills any still running at the end."""
    started = []

    def make(*args, **kwargs):
        client = Connect(*args, **kwargs)
        started.append(client)
        return client

    yield make
    for client in started:
        client.kill()


def key_of(client):
    return client.expect(lambda line: line.startswith("key: ")).split(" ", 1)[1]


def run(coro):
    return asyncio.run(coro)


def in_thread(function, *args):
    return asyncio.to_thread(function, *args)


def test_a_room_created_and_joined_through_pipes_carries_a_message_each_way_and_destroy_ends_both(start, clients):
    srv = start()
    ana = clients(srv.url, "--person", "ana")
    created = ana.expect(lambda line: line.startswith("created room "))
    key = key_of(ana)
    assert v1.KEY_PATTERN.match(key) and created.startswith(f"created room {key} as ana (id ")

    ben = clients(srv.url, "--person", "ben", "--join", key)
    joined = ben.expect(lambda line: line.startswith("joined room "))
    assert joined.startswith(f"joined room {key} as ben (id ") and joined.endswith("; members: ana, ben")
    ana.expect("ben joined")

    ben.send("hello ana")
    ben.expect("sent (offset 1)")
    ana.expect("ben: hello ana")
    ana.send("hi ben")
    ana.expect("sent (offset 2)")
    ben.expect("ana: hi ben")

    # The server ends both connections with 1000 after "destroyed": exit 0,
    # although neither client's input has ended.
    ana.send("/destroy")
    ana.expect("room destroyed")
    ben.expect("room destroyed")
    for client in (ana, ben):
        code, err = client.wait()
        assert code == 0, err

    # The key is gone.
    late = clients(srv.url, "--person", "cy", "--join", key, stdin=subprocess.DEVNULL)
    code, err = late.wait()
    assert code == 1 and "not_found" in err


def test_loc_state_presence_and_history_with_an_independent_client(start, clients):
    srv = start()
    ana = clients(srv.url, "--person", "ana")
    key = key_of(ana)

    async def scenario():
        cleo, joined = await v2.join(srv.url, "cleo", key)
        await in_thread(ana.expect, "cleo joined")

        ana.send("/loc 52.52 13.405")
        seen = await recv_json(cleo)
        assert seen["type"] == "Location Data" and seen["person"] == "ana"
        assert (seen["latitude"], seen["longitude"], seen["offset"]) == (52.52, 13.405, 1)
        await in_thread(ana.expect, "sent (offset 1)")

        ana.send('/state {"battery": 0.4, "mode": "walk"}')
        seen = await recv_json(cleo)
        assert seen["type"] == "state" and seen["data"] == {"battery": 0.4, "mode": "walk"}

        await cleo.send(json.dumps({"type": "message", "data": "hi ana"}))
        await in_thread(ana.expect, "cleo: hi ana")
        await cleo.send(json.dumps({"type": "message", "data": {"text": "on my way"}}))
        await in_thread(ana.expect, 'cleo: {"text":"on my way"}')
        await cleo.send(json.dumps({"type": "Location Data", "latitude": 1.5, "longitude": -2}))
        await in_thread(ana.expect, "cleo is at 1.5, -2")
        await cleo.send(json.dumps({"type": "state", "data": [1, 2]}))
        await in_thread(ana.expect, "cleo set state [1,2]")

        ana.send("/presence")
        members = await in_thread(ana.expect, lambda line: line.startswith("members: "))
        assert members == f"members: ana (id {joined['members'][0]['id']}), cleo (id {joined['you']['id']})"

        ana.send("/history 2")
        await in_thread(ana.expect, "history: 2 publications (the room is at offset 6)")
        first = await in_thread(ana.expect, lambda line: line.startswith("  #5 "))
        second = await in_thread(ana.expect, lambda line: line.startswith("  #6 "))
        assert first.endswith(" cleo is at 1.5, -2") and second.endswith(" cleo set state [1,2]")
        ana.send("/history")
        await in_thread(ana.expect, "history: 6 publications (the room is at offset 6)")

        # The end of input: what was typed is sent, then a clean close.
        ana.send("bye")
        ana.end_input()
        seen = await recv_json(cleo)
        assert seen["type"] == "message" and seen["data"] == "bye"
        left = await recv_json(cleo)
        assert left["type"] == "presence" and left["event"] == "leave" and left["reason"] == "closed", left
        await cleo.close()

    run(scenario())
    code, err = ana.wait()
    assert code == 0, err


def test_a_joiner_sees_the_last_known_state_and_its_lines_wait_for_the_room(start, clients):
    srv = start()
    ana = clients(srv.url, "--person", "ana")
    key = key_of(ana)
    ana.send("/loc 48.8566 2.3522")
    ana.expect("sent (offset 1)")
    # Everything is written before the room is entered, input ended: the
    # lines wait for the join, each gets its answer, then a clean close.
    ben = subprocess.run([BINARY, "connect", srv.url, "--person", "ben", "--join", key],
                         input="hello\n/history\n", capture_output=True, text=True, timeout=DEADLINE,
                         env=client_environment())
    assert ben.returncode == 0, ben.stderr
    lines = ben.stdout.splitlines()
    assert lines[0].startswith(f"joined room {key} as ben")
    assert lines[1].startswith("last known: #1 ") and lines[1].endswith(" ana is at 48.8566, 2.3522")
    assert lines[2:4] == ["sent (offset 2)", "history: 2 publications (the room is at offset 2)"]
    assert lines[4].startswith("  #1 ") and lines[5].startswith("  #2 ") and lines[5].endswith(" ben: hello")
    ana.expect("ben joined")
    ana.expect("ben: hello")
    ana.expect("ben left (closed)")


def test_bad_commands_are_explained_on_stderr_and_nothing_is_sent(start, clients):
    srv = start()
    ana = clients(srv.url, "--person", "ana")
    key = key_of(ana)

    async def scenario():
        ben, _ = await v2.join(srv.url, "ben", key)
        ana.send("/state {not json", "/state", "/loc 100 0", "/loc north south", "/loc 1", "/history 0",
                 "/history many", "/presence now", "/bogus", "", "//slash first", "/quit now", "/help")
        seen = await recv_json(ben)  # the first thing sent after the bad ones
        assert seen["type"] == "message" and seen["data"] == "/slash first", seen
        ana.send("/quit")
        left = await recv_json(ben)
        assert left["type"] == "presence" and left["event"] == "leave", left
        await ben.close()

    run(scenario())
    code, err = ana.wait()
    assert code == 0, err
    for explanation in ("/state needs valid JSON", "usage: /state JSON", "latitude 100 is out of range",
                        "latitude 'north' is not a number", "usage: /loc LATITUDE LONGITUDE", "usage: /history [N]",
                        "/presence takes no arguments", "unknown command /bogus", "/quit takes no arguments",
                        "/destroy", "/history [N]"):
        assert explanation in err, (explanation, err)


def test_what_other_members_send_cannot_drive_the_terminal(start, clients):
    srv = start()
    ana = clients(srv.url, "--person", "ana")
    key = key_of(ana)

    async def scenario():
        ben, _ = await v2.join(srv.url, "ben\x1b[2J", key)
        await ben.send(json.dumps({"type": "message", "data": "\x1b]0;owned\x07two\nlines\u009b"}))
        await in_thread(ana.expect, "ben\\x1b[2J: \\x1b]0;owned\\x07two\\nlines\\u009b")
        await ben.close()

    run(scenario())


def test_json_mode_prints_each_frame_on_one_line(start, clients):
    srv = start()
    ana = clients(srv.url, "--person", "ana", "--json")
    joined = json.loads(ana.expect(lambda line: True))
    assert joined["type"] == "joined" and joined["created"] is True and v1.KEY_PATTERN.match(joined["join"])
    key = joined["join"]

    async def scenario():
        ben, _ = await v2.join(srv.url, "ben", key)
        event = json.loads(await in_thread(ana.expect, lambda line: True))
        assert event["type"] == "presence" and event["event"] == "join"
        # `data` travels as written, line breaks included; the line stays one.
        await ben.send('{"type":"message","data":{ "a" :\n 1}}')
        event = json.loads(await in_thread(ana.expect, lambda line: True))
        assert event["type"] == "message" and event["data"] == {"a": 1}
        ana.send("hello")
        ack = json.loads(await in_thread(ana.expect, lambda line: True))
        assert ack == {"type": "ack", "id": 1, "offset": 2}
        ana.send("/destroy")
        assert json.loads(await in_thread(ana.expect, lambda line: True)) == {"type": "destroyed", "join": key}
        await ben.close()

    run(scenario())
    code, err = ana.wait()
    assert code == 0, err
    assert ana.rest() == []


def test_v1_against_a_v1_room(start, clients):
    srv = start()

    async def scenario():
        ana, key = await v1.create(srv.url, "ana")
        ben = clients(srv.url, "--v1", "--person", "ben", "--join", key)
        await in_thread(ben.expect, f"joined room {key} as ben (protocol v1)")
        assert await recv_json(ana) == {"type": "connection_message", "message": "ben Joined!"}

        ben.send("hello", "/loc 52.52 13.405", "/state {}", "/presence", "/history")
        assert await recv_json(ana) == {"type": "message", "person": "ben", "data": "hello"}
        assert await recv_json(ana) == {"type": "Location Data", "person": "ben", "latitude": 52.52,
                                        "longitude": 13.405}
        await ana.send(json.dumps({"type": "message", "data": "hi ben"}))
        await in_thread(ben.expect, "ana: hi ben")
        await ana.send(json.dumps({"type": "Location Data", "latitude": 1, "longitude": 2}))
        await in_thread(ben.expect, "ana is at 1, 2")

        # A second client creates a v1 room of its own and reads its key.
        cy = clients(srv.url, "--v1", "--person", "cy")
        created = await in_thread(cy.expect, lambda line: line.startswith("created room "))
        assert created.endswith(" as cy (protocol v1)")
        assert v1.KEY_PATTERN.match(await in_thread(key_of, cy))
        cy.end_input()

        ben.send("/destroy")
        await in_thread(ben.expect, "room destroyed")
        assert await recv_json(ana) == {"type": "connection_message", "message": f"{key} Session Destroyed!"}
        await ana.close()
        return ben, cy

    for client in run(scenario()):
        code, err = client.wait()
        assert code == 0, err


def test_v1_mode_says_which_commands_need_v2(start, clients):
    srv = start()
    ana = clients(srv.url, "--v1", "--person", "ana")
    key_of(ana)
    ana.send("/state {}", "/presence", "/history 3")
    ana.end_input()
    code, err = ana.wait()
    assert code == 0, err
    for command in ("/state", "/presence", "/history"):
        assert f"{command} needs protocol v2" in err


@pytest.mark.parametrize("protocol", [[], ["--v1"]], ids=["v2", "v1"])
def test_a_join_of_an_unknown_key_exits_1_with_the_reason(start, clients, protocol):
    srv = start()
    client = clients(srv.url, *protocol, "--join", "no-such-key-at-all-here")
    client.send("hello")
    code, err = client.wait()
    assert code == 1
    assert ("not_found" in err) if not protocol else ("Join Key Not Found!" in err), err


@pytest.mark.parametrize("url", ["127.0.0.1:8001", "localhost", "http://127.0.0.1:8001/", "ws://", "ws://host:0",
                                 "ws://host:65536", "ws://host:80x", "ws://user@host/", "ws://host/#part", "ftp://host/"])
def test_a_bad_url_is_a_usage_error(url):
    out = subprocess.run([BINARY, "connect", url], capture_output=True, text=True, timeout=DEADLINE,
                         stdin=subprocess.DEVNULL)
    assert out.returncode == 2 and out.stderr.startswith("roomkey connect: bad URL"), out.stderr
    assert out.stdout == ""


def test_a_missing_url_or_a_bad_flag_is_a_usage_error(tmp_path):
    for args in ([], ["ws://127.0.0.1:1", "--no-such-flag"], ["ws://127.0.0.1:1", "--ca", str(tmp_path / "none")],
                 ["ws://127.0.0.1:1", "--join", ""], ["ws://127.0.0.1:1", "--ca", "/etc/hostname"]):
        out = subprocess.run([BINARY, "connect", *args], capture_output=True, text=True, timeout=DEADLINE,
                             stdin=subprocess.DEVNULL)
        assert out.returncode == 2, (args, out.stderr)


def test_a_refused_connection_exits_1_with_the_reason():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = subprocess.run([BINARY, "connect", f"ws://127.0.0.1:{port}/"], capture_output=True, text=True,
                         timeout=DEADLINE, stdin=subprocess.DEVNULL)
    assert out.returncode == 1 and "Connection refused" in out.stderr, out.stderr


def test_the_server_going_away_exits_1_with_its_close_code(start, clients):
    srv = start()
    ana = clients(srv.url, "--person", "ana")
    key_of(ana)
    srv.signal(signal.SIGTERM)
    assert srv.wait() == 0
    code, err = ana.wait()
    assert code == 1 and "1001" in err, err


def test_a_server_killed_without_a_close_ends_the_client_at_once(start, clients):
    # No close frame, only a reset: the client must not wait on Beast's idle timer (30 s) to exit.
    srv = start()
    ana = clients(srv.url, "--person", "ana", "--listen")
    key_of(ana)
    srv.signal(signal.SIGKILL)
    srv.wait()
    code, err = ana.wait(timeout=10)
    assert code == 1, err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["INT", "TERM", "HUP"])
def test_a_signal_closes_cleanly_and_exits_0(start, clients, signum):
    srv = start()
    ana = clients(srv.url, "--person", "ana", "--listen")
    key = key_of(ana)

    async def scenario():
        ben, _ = await v2.join(srv.url, "ben", key)
        await in_thread(ana.expect, "ben joined")
        ana.process.send_signal(signum)
        left = await recv_json(ben)
        assert left["type"] == "presence" and left["event"] == "leave" and left["reason"] == "closed", left
        await ben.close()

    run(scenario())
    code, err = ana.wait()
    assert code == 0, err


def test_input_from_a_regular_file(start, clients, tmp_path):
    srv = start()
    ana = clients(srv.url, "--person", "ana")
    key = key_of(ana)
    script = tmp_path / "lines.txt"
    script.write_text("first\nsecond\r\n/loc -33.87 151.21\nlast, without a newline")
    with open(script) as lines:
        ben = clients(srv.url, "--person", "ben", "--join", key, stdin=lines)
        code, err = ben.wait()
    assert code == 0, err
    for line in ("ben: first", "ben: second", "ben is at -33.87, 151.21", "ben: last, without a newline",
                 "ben left (closed)"):
        ana.expect(line)
    assert [line for line in ben.rest() if line.startswith("sent")] == [f"sent (offset {n})" for n in (1, 2, 3, 4)]


def test_the_person_defaults_to_user_then_guest(start, clients):
    srv = start()
    zoe = clients(srv.url, env=client_environment(USER="zoe"))
    assert zoe.expect(lambda line: line.startswith("created")).split(" as ")[1].startswith("zoe (id ")
    anonymous = clients(srv.url)
    assert anonymous.expect(lambda line: line.startswith("created")).split(" as ")[1].startswith("guest (id ")


def test_a_token_names_the_member(start, clients, tmp_path):
    secret = "0123456789abcdef0123456789abcdef-roomkey-test"
    (tmp_path / "secret").write_text(secret)
    srv = start("--auth-key", str(tmp_path / "secret"))
    token = jwt.encode({"sub": "u-7", "name": "Nadia", "exp": int(time.time()) + 600}, secret, algorithm="HS256")
    nadia = clients(srv.url, "--token", token)
    assert nadia.expect(lambda line: line.startswith("created")).split(" as ")[1].startswith("Nadia (id ")
    key = key_of(nadia)
    (tmp_path / "token").write_text(token + "\n")
    again = clients(srv.url, "--token-file", str(tmp_path / "token"), "--join", key)
    assert again.expect(lambda line: line.startswith("joined")).endswith("members: Nadia, Nadia")
    without = clients(srv.url, "--person", "x", stdin=subprocess.DEVNULL)
    code, err = without.wait()
    assert code == 1 and "unauthorized" in err, err


def test_wss_with_a_private_ca_checks_the_certificate_and_its_name(start, clients, tmp_path):
    cert, key_file = make_pair(tmp_path, "served")
    srv = start("--tls-cert", str(cert), "--tls-key", str(key_file))
    assert srv.url.startswith("wss://")
    ana = clients(srv.url, "--person", "ana", "--ca", str(cert))
    key = key_of(ana)
    ben = clients(f"wss://localhost:{srv.port}/", "--person", "ben", "--ca", str(cert), "--join", key)
    ben.expect(lambda line: line.startswith(f"joined room {key} as ben"))
    ben.send("over TLS")
    ana.expect("ben: over TLS")
    ben.end_input()
    assert ben.wait()[0] == 0

    # Not trusted: the system's CAs do not know the certificate.
    untrusted = clients(srv.url, stdin=subprocess.DEVNULL)
    code, err = untrusted.wait()
    assert code == 1 and "certificate" in err and "--ca" in err, err
    # Trusted, but made out to another name.
    other_cert, other_key = make_pair(tmp_path, "other", names="DNS:rooms.example.org")
    other = start("--tls-cert", str(other_cert), "--tls-key", str(other_key))
    for host, verdict in (("127.0.0.1", "IP address mismatch"), ("localhost", "hostname mismatch")):
        mismatch = clients(f"wss://{host}:{other.port}", "--ca", str(other_cert), stdin=subprocess.DEVNULL)
        code, err = mismatch.wait()
        assert code == 1 and verdict in err, err
    # --ca with ws:// makes no sense.
    plain = subprocess.run([BINARY, "connect", f"ws://127.0.0.1:{srv.port}", "--ca", str(cert)],
                           capture_output=True, text=True, timeout=DEADLINE, stdin=subprocess.DEVNULL)
    assert plain.returncode == 2 and "--ca" in plain.stderr


def test_help_explains_the_commands_with_an_example():
    out = subprocess.run([BINARY, "connect", "--help"], capture_output=True, text=True, timeout=DEADLINE)
    assert out.returncode == 0
    for text in ("--person", "--join", "--token", "--v1", "--json", "--ca", "/loc LAT LON", "/state JSON",
                 "/presence", "/history [N]", "/destroy", "/quit", "/help", "key: KEY", "Exit status",
                 "Examples:"):
        assert text in out.stdout, text
    top = subprocess.run([BINARY, "--help"], capture_output=True, text=True, timeout=DEADLINE)
    assert "connect" in top.stdout


def test_a_long_input_is_sent_whole_and_in_order(start, clients, tmp_path):
    """More lines than the client holds unsent (the reader waits for the
    sending), from a file; every one is acked before the clean close."""
    srv = start()
    ana = clients(srv.url, "--person", "ana", "--json")
    key = json.loads(ana.expect(lambda line: True))["join"]
    script = tmp_path / "lines.txt"
    script.write_text("".join(f"line {n}\n" for n in range(1000)))
    with open(script) as lines:
        ben = clients(srv.url, "--person", "ben", "--join", key, "--json", stdin=lines)
        code, err = ben.wait(timeout=60)
    assert code == 0, err
    acks = [json.loads(line) for line in ben.rest() if '"ack"' in line]
    assert [ack["id"] for ack in acks] == list(range(1, 1001))
    received = []
    while len(received) < 1000:
        event = json.loads(ana.expect(lambda line: True))
        if event["type"] == "message":
            received.append(event["data"])
    assert received == [f"line {n}" for n in range(1000)]
