"""Fixtures for the hub's tests: one store per engine (a SQLite file, and a fresh PostgreSQL
database on the server named by COACHDESK_TEST_POSTGRES), a real uvicorn serving it on 127.0.0.1,
and an empty store for each test.

Without COACHDESK_TEST_POSTGRES the PostgreSQL half is skipped on a developer's machine; in CI
(`CI` set) it fails instead, so a CI that lost its database cannot pass by skipping."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hubkit import PROGRAMME, Client, fresh_postgres_database, postgres_url, serve_in_thread, wipe
from sqlalchemy.engine import URL

from coachdesk.hub.access import add_user
from coachdesk.hub.app import create_app
from coachdesk.hub.config import HubConfig
from coachdesk.hub.store import Store

ENGINES = ("sqlite", "postgresql")
PRACTICES = frozenset({"P01", "P02", "P03"})
CONFIG = HubConfig(programme=PROGRAMME, practices=PRACTICES)


@pytest.fixture(scope="module", params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[URL]:
    if request.param == "sqlite":
        yield URL.create("sqlite", database=str(tmp_path_factory.mktemp("hubdb") / "hub.sqlite3"))
        return
    server = postgres_url()
    if server is None:
        message = "COACHDESK_TEST_POSTGRES is not set (.ci/run sets it after starting PostgreSQL)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with fresh_postgres_database(server) as url:
        yield url


@pytest.fixture(scope="module")
def module_store(db_url: URL) -> Iterator[Store]:
    store = Store.open(db_url)
    yield store
    store.close()


@pytest.fixture
def store(module_store: Store) -> Store:
    """The engine's store, emptied for this test."""
    wipe(module_store.engine)
    return module_store


@dataclass
class RunningHub:
    store: Store
    client: Client

    def new_user(self, name: str = "analyst") -> str:
        return add_user(self.store, name)


@pytest.fixture(scope="module")
def module_server(module_store: Store) -> Iterator[str]:
    with serve_in_thread(create_app(module_store, CONFIG)) as base:
        yield base


@pytest.fixture
def hub(store: Store, module_server: str) -> RunningHub:
    """A running hub over an empty store, with a programme-team user whose token the client carries."""
    running = RunningHub(store, Client(module_server))
    running.client.token = running.new_user()
    return running
