"""The persistent stores the suite runs against, seen from outside roomkey:
each can be prepared like the original server's database, inspected, written
to by "another process", and locked to make roomkey's store calls slow."""
import contextlib
import sqlite3


class SqliteStore:
    name = "sqlite"

    def __init__(self, path):
        self.path = path
        self.spec = f"sqlite:{path}"

    def _db(self):
        return sqlite3.connect(self.path, isolation_level=None, timeout=10)

    def prepare_original(self, keys):
        db = self._db()
        db.execute("CREATE TABLE websock (joinkey VARCHAR(255) PRIMARY KEY)")
        db.executemany("INSERT INTO websock VALUES (?)", [(k,) for k in keys])
        db.close()

    def insert(self, key):
        db = self._db()
        db.execute("INSERT INTO websock (joinkey) VALUES (?)", (key,))
        db.close()

    def prepare_previous(self, keys):
        """The table as roomkey kept it before owners and last use: a created_at column."""
        db = self._db()
        db.execute("CREATE TABLE websock (joinkey VARCHAR(255) PRIMARY KEY, created_at INTEGER)")
        db.executemany("INSERT INTO websock VALUES (?, strftime('%s','now') - 86400)", [(k,) for k in keys])
        db.close()

    def row(self, key):
        """(owner, seconds since last use) of a key, None if absent."""
        db = self._db()
        row = db.execute("SELECT owner, strftime('%s','now') - last_used FROM websock WHERE joinkey = ?",
                         (key,)).fetchone()
        db.close()
        return row

    def age_last_use(self, key, seconds):
        db = self._db()
        db.execute("UPDATE websock SET last_used = strftime('%s','now') - ? WHERE joinkey = ?", (seconds, key))
        db.close()

    def keys(self):
        db = self._db()
        rows = db.execute("SELECT joinkey FROM websock").fetchall()
        db.close()
        return {r[0] for r in rows}

    def columns(self):
        db = self._db()
        rows = db.execute("PRAGMA table_info(websock)").fetchall()
        db.close()
        return [r[1] for r in rows]

    @contextlib.contextmanager
    def write_lock(self):
        db = sqlite3.connect(self.path, isolation_level=None, timeout=0)
        db.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            db.execute("COMMIT")
            db.close()


class MariadbStore:
    name = "mariadb"

    def __init__(self, instance, database, original_table=False):
        self.instance = instance
        self.database = database
        self.spec = instance.url(database)

    def prepare_original(self, keys):
        with self.instance.root(self.database) as db, db.cursor() as cur:
            cur.execute("CREATE TABLE websock (joinkey VARCHAR(255) PRIMARY KEY)")
            for key in keys:
                cur.execute("INSERT INTO websock VALUES (%s)", (key,))

    def insert(self, key):
        with self.instance.connect(self.database) as db, db.cursor() as cur:
            cur.execute("INSERT INTO websock (joinkey) VALUES (%s)", (key,))

    def prepare_previous(self, keys):
        """The table as roomkey kept it before owners and last use: a created_at column."""
        with self.instance.root(self.database) as db, db.cursor() as cur:
            cur.execute("CREATE TABLE websock (joinkey VARCHAR(255) PRIMARY KEY, created_at TIMESTAMP NULL)")
            for key in keys:
                cur.execute("INSERT INTO websock VALUES (%s, NOW() - INTERVAL 1 DAY)", (key,))

    def row(self, key):
        """(owner, seconds since last use) of a key, None if absent."""
        with self.instance.root(self.database) as db, db.cursor() as cur:
            cur.execute("SELECT owner, TIMESTAMPDIFF(SECOND, last_used, NOW()) FROM websock WHERE joinkey = %s",
                        (key,))
            return cur.fetchone()

    def age_last_use(self, key, seconds):
        with self.instance.root(self.database) as db, db.cursor() as cur:
            cur.execute("UPDATE websock SET last_used = NOW() - INTERVAL %s SECOND WHERE joinkey = %s",
                        (seconds, key))

    def keys(self):
        return self.instance.keys(self.database)

    def columns(self):
        with self.instance.root(self.database) as db, db.cursor() as cur:
            cur.execute("SHOW COLUMNS FROM websock")
            return [r[0] for r in cur.fetchall()]

    @contextlib.contextmanager
    def write_lock(self):
        db = self.instance.root(self.database)
        with db.cursor() as cur:
            cur.execute("LOCK TABLES websock WRITE")
        try:
            yield
        finally:
            with db.cursor() as cur:
                cur.execute("UNLOCK TABLES")
            db.close()
