import asyncio
import itertools

import pytest

from roomkey_server import RoomkeyServer
import stores
import v1

_database_names = (f"rk_test_{i}" for i in itertools.count())


@pytest.fixture(scope="session")
def mariadb():
    """One private MariaDB for the whole run; each test gets its own database."""
    from mariadb_instance import MariadbInstance
    instance = MariadbInstance().start()
    yield instance
    instance.destroy()


@pytest.fixture(params=["sqlite", "mariadb"])
def store(request, tmp_path):
    """Every test that takes a server runs once on each persistent store."""
    if request.param == "sqlite":
        return stores.SqliteStore(tmp_path / "rooms.db")
    mariadb = request.getfixturevalue("mariadb")
    return stores.MariadbStore(mariadb, mariadb.fresh_database(next(_database_names)))


@pytest.fixture
def store_spec(store):
    return store.spec


@pytest.fixture
def server(store_spec):
    """A fresh roomkey. After the test, whatever it threw at the server, a new
    client must still be able to create and join a room."""
    srv = RoomkeyServer(store_spec).start()
    yield srv
    if srv.process.poll() is None:
        asyncio.run(v1.assert_server_still_serves(srv.url))
    srv.stop()


@pytest.fixture
def sqlite_spec(tmp_path):
    return f"sqlite:{tmp_path / 'rooms.db'}"


@pytest.fixture
def start(sqlite_spec):
    """For tests that are about roomkey itself, not its store: starts roomkey
    on SQLite with extra flags; stops every one started."""
    started = []

    def make(*extra_args):
        srv = RoomkeyServer(sqlite_spec, *extra_args).start()
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()


@pytest.fixture
def make_server(store_spec):
    """For tests that need their own flags or to restart the server; the same
    store each time unless one is given."""
    started = []

    def make(*extra_args, store=None):
        srv = RoomkeyServer(store or store_spec, *extra_args)
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()


# ------------------------------------------- conformance totals per category

_CATEGORIES = {"1": "framing", "2": "pings and pongs", "3": "reserved bits", "4": "opcodes",
               "5": "fragmentation", "6": "UTF-8", "7": "close handling", "9": "limits and big messages"}
_conformance_outcomes = {}


def _conformance_category(nodeid):
    if "[" in nodeid:
        return nodeid.split("[", 1)[1].split(".", 1)[0]
    return nodeid.split("::test_", 1)[1].split("_", 1)[0]


def pytest_runtest_logreport(report):
    if "test_conformance.py::" not in report.nodeid:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _conformance_outcomes[report.nodeid] = report.passed


def pytest_terminal_summary(terminalreporter):
    if not _conformance_outcomes:
        return
    totals = {}
    for nodeid, passed in _conformance_outcomes.items():
        category = _conformance_category(nodeid)
        done, ok = totals.get(category, (0, 0))
        totals[category] = (done + 1, ok + passed)
    terminalreporter.section("RFC 6455 conformance (Autobahn categories, adapted to rooms)")
    for category in sorted(totals, key=int):
        done, ok = totals[category]
        terminalreporter.write_line(f"{category} {_CATEGORIES.get(category, '?'):<24} {ok:>4} / {done} passed")
    terminalreporter.write_line(f"  {'all':<24} {sum(o for _, o in totals.values()):>4} / "
                                f"{sum(d for d, _ in totals.values())} passed")
