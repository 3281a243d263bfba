"""Private Redis servers for the tests: each in its own temp folder on its
own port (and unix socket), never the system's. They can be stopped
(SIGSTOP: alive but silent), killed and started again mid-test, with or
without AOF, and grouped into a Redis Cluster."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import redis

REDIS_SERVER = shutil.which("redis-server", path="/usr/bin:/usr/sbin") or "/usr/bin/redis-server"
REDIS_CLI = shutil.which("redis-cli", path="/usr/bin:/usr/sbin") or "/usr/bin/redis-cli"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_cluster_port():
    """A cluster node also listens on its port + 10000 (the cluster bus), so
    both must be free and the port at most 55535."""
    import random
    while True:
        port = random.randint(20000, 45000)
        if is_free(port) and is_free(port + 10000):
            return port


class RedisInstance:
    def __init__(self, aof=False, password=None, cluster=False, port=None):
        self.dir = Path(tempfile.mkdtemp(prefix="roomkey-redis-"))
        self.port = port or (free_cluster_port() if cluster else free_port())
        self.socket = str(self.dir / "redis.sock")
        self.password = password
        self.aof = aof
        self.cluster = cluster
        self.process = None

    @property
    def url(self):
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}"

    @property
    def unix_url(self):
        auth = f":{self.password}@" if self.password else ""
        return f"redis+unix://{auth}{self.socket}"

    def start(self):
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
                "--unixsocket", self.socket, "--unixsocketperm", "700", "--save", "",
                "--daemonize", "no", "--logfile", str(self.dir / "redis.log"), "--protected-mode", "no"]
        if self.aof:
            args += ["--appendonly", "yes", "--appendfsync", "always"]
        if self.password:
            args += ["--requirepass", self.password]
        if self.cluster:
            args += ["--cluster-enabled", "yes", "--cluster-config-file", str(self.dir / "nodes.conf"),
                     "--cluster-node-timeout", "2000"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("redis-server exited: " + self.log())
            try:
                if self.client().ping():
                    return self
            except (redis.ConnectionError, redis.BusyLoadingError):
                time.sleep(0.05)
        raise RuntimeError("redis-server did not come up: " + self.log())

    def log(self):
        path = self.dir / "redis.log"
        return path.read_text() if path.exists() else ""

    def client(self):
        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password, socket_timeout=5,
                           decode_responses=True)

    def pause(self):
        """SIGSTOP: the port stays open but nothing answers."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def destroy(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisCluster:
    """Three masters, no replicas, made with `redis-cli --cluster create`."""

    def __init__(self, masters=3):
        self.nodes = [RedisInstance(cluster=True) for _ in range(masters)]

    def start(self):
        for node in self.nodes:
            node.start()
        addresses = [f"127.0.0.1:{node.port}" for node in self.nodes]
        subprocess.run([REDIS_CLI, "--cluster", "create", *addresses, "--cluster-yes"], check=True,
                       capture_output=True, timeout=60)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if all("cluster_state:ok" in subprocess.run(
                    [REDIS_CLI, "-p", str(node.port), "cluster", "info"], capture_output=True, text=True).stdout
                   for node in self.nodes):
                return self
            time.sleep(0.1)
        raise RuntimeError("the Redis Cluster did not become ok")

    @property
    def url(self):
        return self.nodes[0].url

    def client(self):
        return redis.RedisCluster(host="127.0.0.1", port=self.nodes[0].port, decode_responses=True)

    def destroy(self):
        for node in self.nodes:
            node.destroy()
