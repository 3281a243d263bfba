"""The command line: help, version, flag errors, signals."""
import asyncio
import signal
import subprocess

import v1
from roomkey_server import BINARY, server_environment


def test_help_explains_the_flags():
    out = subprocess.run([BINARY, "serve", "--help"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0
    for flag in ("--host", "--port", "--store", "--max-message-bytes", "--log-level"):
        assert flag in out.stdout
    assert "8001" in out.stdout and "sqlite:./roomkey.db" in out.stdout
    top = subprocess.run([BINARY, "--help"], capture_output=True, text=True, timeout=10)
    assert top.returncode == 0 and "serve" in top.stdout


def test_version():
    out = subprocess.run([BINARY, "--version"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0 and out.stdout.startswith("roomkey ")


def test_a_bad_flag_is_an_error_not_a_crash():
    out = subprocess.run([BINARY, "serve", "--port", "notaport"], capture_output=True, text=True, timeout=10)
    assert out.returncode != 0 and "port" in out.stderr.lower()
    out = subprocess.run([BINARY, "serve", "--no-such-flag"], capture_output=True, text=True, timeout=10)
    assert out.returncode != 0


def test_a_port_in_use_is_a_clear_error(make_server):
    first = make_server().start()
    out = subprocess.run([BINARY, "serve", "--host", "127.0.0.1", "--port", str(first.port), "--store", "memory"],
                         capture_output=True, text=True, timeout=10)
    assert out.returncode == 1 and "cannot listen" in out.stderr


def test_sigterm_closes_clients_with_1001_and_exits_0(make_server):
    srv = make_server().start()

    async def scenario():
        key, (a, b) = await v1.room(srv.url, "ana", "ben")
        srv.signal(signal.SIGTERM)
        for ws in (a, b):
            await asyncio.wait_for(ws.wait_closed(), v1.TIMEOUT)
            assert ws.close_code == 1001
    asyncio.run(scenario())
    assert srv.wait() == 0


def test_the_default_store_is_a_sqlite_file_in_the_working_directory(tmp_path):
    process = subprocess.Popen([BINARY, "serve", "--host", "127.0.0.1", "--port", "0"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=server_environment())
    line = process.stdout.readline()
    assert "listening" in line and "sqlite:./roomkey.db" in line
    assert (tmp_path / "roomkey.db").exists()
    process.send_signal(signal.SIGINT)
    assert process.wait(10) == 0
