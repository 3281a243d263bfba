"""A private MariaDB server for the tests: its own data directory in a temp
folder, its own port and socket. It never touches a system database and can
be stopped and started again mid-test to simulate outages."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pymysql

MARIADBD = shutil.which("mariadbd", path="/usr/sbin:/usr/bin") or "/usr/sbin/mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
USER, PASSWORD = "roomkey", "roomkey-test-pw"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MariadbInstance:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="roomkey-mariadb-"))
        self.datadir = self.dir / "data"
        self.socket = str(self.dir / "mysqld.sock")
        self.port = free_port()
        self.process = None
        self.log = self.dir / "mysqld.log"
        as_root = ["--user=root"] if os.geteuid() == 0 else []
        self.common = ["--no-defaults", f"--datadir={self.datadir}", *as_root]
        subprocess.run([INSTALL_DB, *self.common, "--auth-root-authentication-method=socket",
                        "--skip-test-db"], check=True, capture_output=True, timeout=120)

    def start(self):
        self.process = subprocess.Popen(
            [MARIADBD, *self.common, f"--socket={self.socket}", f"--port={self.port}", "--bind-address=127.0.0.1",
             f"--pid-file={self.dir / 'mysqld.pid'}", f"--log-error={self.log}", "--skip-name-resolve",
             "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("mariadbd exited: " + self.log.read_text())
            try:
                self.root().close()
                return self
            except pymysql.err.OperationalError:
                time.sleep(0.1)
        raise RuntimeError("mariadbd did not come up: " + self.log.read_text())

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(60)
        self.process = None

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(60)
        self.process = None

    def destroy(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def root(self, database=None):
        return pymysql.connect(unix_socket=self.socket, user="root", database=database, autocommit=True)

    def connect(self, database):
        """A session as the application user, over TCP, like roomkey's."""
        return pymysql.connect(host="127.0.0.1", port=self.port, user=USER, password=PASSWORD, database=database,
                               autocommit=True)

    def fresh_database(self, name, original_table=False):
        """An empty database the roomkey user may use; optionally holding the
        table exactly as the original server's README creates it."""
        with self.root() as db, db.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cur.execute(f"CREATE DATABASE `{name}`")
            cur.execute(f"CREATE USER IF NOT EXISTS '{USER}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}'")
            cur.execute(f"CREATE USER IF NOT EXISTS '{USER}'@'localhost' IDENTIFIED BY '{PASSWORD}'")
            for host in ("127.0.0.1", "localhost"):
                cur.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER ON `{name}`.* TO '{USER}'@'{host}'")
            if original_table:
                cur.execute(f"CREATE TABLE `{name}`.websock (joinkey VARCHAR(255) PRIMARY KEY)")
        return name

    def url(self, database, with_password=True):
        credentials = f"{USER}:{PASSWORD}" if with_password else USER
        return f"mariadb://{credentials}@127.0.0.1:{self.port}/{database}"

    def keys(self, database):
        with self.root(database) as db, db.cursor() as cur:
            cur.execute("SELECT joinkey FROM websock")
            return {row[0] for row in cur.fetchall()}
