"""sd_notify: started the way a Type=notify unit starts it (with
$NOTIFY_SOCKET), roomkey says READY=1 only once its port serves and its store
is open, and STOPPING=1 when SIGTERM begins its shutdown. The socket here
plays systemd's part."""
import asyncio
import os
import signal
import socket
import struct
import subprocess

import pytest

import v1
from roomkey_server import BINARY

UCRED = struct.Struct("3i")  # pid, uid, gid


class NotifySocket:
    """A unix datagram socket like systemd's: each datagram with its sender's pid."""

    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.bind(self.path)

    def receive(self, timeout=10):
        """(text, sender pid), or None when nothing came within `timeout`."""
        self.sock.settimeout(timeout)
        try:
            data, ancillary, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(UCRED.size))
        except socket.timeout:
            return None
        pid = None
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = UCRED.unpack(payload[:UCRED.size])[0]
        return data.decode(), pid

    def close(self):
        self.sock.close()


@pytest.fixture
def notify_socket(tmp_path):
    sock = NotifySocket(tmp_path / "notify")
    yield sock
    sock.close()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(tmp_path, notify_path, port, store=None):
    log = open(tmp_path / "roomkey.log", "w")
    env = dict(os.environ, NOTIFY_SOCKET=str(notify_path))
    store = store or f"sqlite:{tmp_path / 'rooms.db'}"
    return subprocess.Popen([BINARY, "serve", "--host", "127.0.0.1", "--port", str(port), "--store", store],
                            stdout=log, stderr=subprocess.STDOUT, env=env)


def log_of(tmp_path):
    return (tmp_path / "roomkey.log").read_text()


def accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    return process.wait(15)


def test_ready_once_the_port_serves_and_stopping_on_sigterm(tmp_path, notify_socket):
    port = free_port()
    process = start(tmp_path, notify_socket.path, port)
    try:
        ready = notify_socket.receive()
        assert ready == ("READY=1", process.pid), log_of(tmp_path)
        # Told ready, a supervisor sends clients at once: they must get in,
        # and the store must answer (a create needs it).
        assert accepts(port)
        url = f"ws://127.0.0.1:{port}"

        async def scenario():
            key, members = await v1.room(url, "ana", "ben")
            assert notify_socket.receive(timeout=0.2) is None  # nothing more while it serves
            process.send_signal(signal.SIGTERM)
            stopping = await asyncio.to_thread(notify_socket.receive)
            assert stopping == ("STOPPING=1", process.pid)
            for ws in members:
                await asyncio.wait_for(ws.wait_closed(), v1.TIMEOUT)
                assert ws.close_code == 1001
        asyncio.run(scenario())
        assert process.wait(15) == 0
        assert notify_socket.receive(timeout=0.2) is None  # one STOPPING=1, nothing after
    finally:
        stop(process)


def test_no_ready_when_the_port_cannot_be_bound(tmp_path, notify_socket):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        process = start(tmp_path, notify_socket.path, taken.getsockname()[1])
        assert process.wait(15) != 0
    assert notify_socket.receive(timeout=0.2) is None, log_of(tmp_path)
    assert "cannot listen" in log_of(tmp_path)


def test_no_ready_when_the_store_cannot_be_opened(tmp_path, notify_socket):
    process = start(tmp_path, notify_socket.path, free_port(),
                    store=f"sqlite:{tmp_path / 'no-such-folder' / 'rooms.db'}")
    assert process.wait(15) != 0
    assert notify_socket.receive(timeout=0.2) is None, log_of(tmp_path)


def test_a_notify_socket_nobody_listens_on_does_not_stop_the_server(tmp_path):
    port = free_port()
    process = start(tmp_path, tmp_path / "nobody-here", port)
    try:
        async def scenario():
            for _ in range(100):
                if accepts(port):
                    break
                await asyncio.sleep(0.05)
            key, members = await v1.room(f"ws://127.0.0.1:{port}", "ana", "ben")
            for ws in members:
                await ws.close()
        asyncio.run(scenario())
    finally:
        assert stop(process) == 0
    assert "sd_notify(READY=1) failed" in log_of(tmp_path)
