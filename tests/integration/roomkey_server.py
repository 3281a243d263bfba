"""Starts and stops the real roomkey binary for the integration tests."""
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("ROOMKEY_BINARY", str(REPO / "build" / "roomkey"))
LISTENING = re.compile(r"listening on wss?://[^:]+:(\d+)")
# The test suite's own knobs share roomkey's prefix; roomkey would warn about each.
TEST_KNOBS = ("ROOMKEY_BINARY", "ROOMKEY_SLOW_CONSUMER_SECONDS", "ROOMKEY_LEAK_ROUNDS", "ROOMKEY_BUDGET_ROOMS")


def server_environment():
    return {k: v for k, v in os.environ.items() if k not in TEST_KNOBS}


def rss_kb(pid):
    """A process's resident memory, from /proc."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


class RoomkeyServer:
    """One roomkey process. `port` is known once start() returns."""

    def __init__(self, store, *extra_args, env=None):
        self.store = store
        self.extra_args = list(extra_args)
        self.env = env  # None: this process's environment
        self.process = None
        self.port = None
        self.log_lines = []
        self.reader = None

    def start(self, port=0, timeout=10):
        # Every test client comes from 127.0.0.1, so the per-address create
        # limit is off unless a test sets it (test_abuse_limits.py does).
        defaults = [] if "--log-level" in self.extra_args else ["--log-level", "info"]
        if "--max-creates-per-minute" not in self.extra_args:
            defaults += ["--max-creates-per-minute", "0"]
        store = [] if self.store is None else ["--store", self.store]  # None: roomkey's own choice (--cluster)
        args = [BINARY, "serve", "--host", "127.0.0.1", "--port", str(port), *store, *defaults, *self.extra_args]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        env=self.env if self.env is not None else server_environment())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"roomkey exited early ({self.process.wait()}): {''.join(self.log_lines)}")
            self.log_lines.append(line)
            match = LISTENING.search(line)
            if match:
                self.port = int(match.group(1))
                # Keep reading: at info a line per connection event would fill
                # the pipe, and a server blocked on its log stalls.
                self.reader = threading.Thread(target=self._read_log, daemon=True)
                self.reader.start()
                return self
        raise RuntimeError("roomkey did not start listening: " + "".join(self.log_lines))

    @property
    def url(self):
        scheme = "wss" if "--tls-cert" in self.extra_args else "ws"
        return f"{scheme}://127.0.0.1:{self.port}"

    def signal(self, signum):
        self.process.send_signal(signum)

    def _read_log(self):
        for line in self.process.stdout:
            self.log_lines.append(line)

    def wait(self, timeout=15):
        code = self.process.wait(timeout)
        if self.reader:
            self.reader.join(10)
        else:
            self.log_lines.extend(self.process.stdout.readlines())
        self.process.stdout.close()
        return code

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        return self.wait()

    def stop(self):
        """SIGTERM, which must end in exit code 0: a graceful shutdown, and
        under the sanitizers no leak or race report."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                code = self.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError("roomkey did not stop within 30 s of SIGTERM")
            if code != 0:
                raise AssertionError(f"roomkey exited {code} after SIGTERM:\n" + "".join(self.log_lines[-80:]))
            return code
        if self.process and not self.process.stdout.closed:
            # It ended by itself and nobody waited for it: it died during the
            # test (a crash, a sanitizer's report). That fails the test.
            code = self.wait()
            raise AssertionError(f"roomkey died during the test (exit {code}):\n" + "".join(self.log_lines[-80:]))
        return None
