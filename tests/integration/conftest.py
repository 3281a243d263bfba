import asyncio

import pytest

from roomkey_server import RoomkeyServer
import v1


@pytest.fixture
def store_path(tmp_path):
    return f"sqlite:{tmp_path / 'rooms.db'}"


@pytest.fixture
def server(store_path):
    """A fresh roomkey on a SQLite store. After the test, whatever it threw at
    the server, a new client must still be able to create and join a room."""
    srv = RoomkeyServer(store_path).start()
    yield srv
    if srv.process.poll() is None:
        asyncio.run(v1.assert_server_still_serves(srv.url))
    srv.stop()


@pytest.fixture
def make_server(tmp_path):
    """For tests that need their own flags or to restart the server."""
    started = []

    def make(*extra_args, store=None):
        srv = RoomkeyServer(store or f"sqlite:{tmp_path / 'rooms.db'}", *extra_args)
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()
