"""The hub's store on both engines: the migrations build exactly the schema tables.py describes,
run once however often the hub starts, refuse a database newer than the code, and a database that
cannot be reached is named without its password."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.engine import URL, make_url

from coachdesk.hub import access, migrations, sessions
from coachdesk.hub.config import UsageError, resolve_db_url
from coachdesk.hub.errors import HubError, StoreUnavailable
from coachdesk.hub.store import Store
from coachdesk.hub.tables import metadata, schema_versions


def test_the_migrated_schema_is_tables_py(store: Store, db_url: URL) -> None:
    found = inspect(store.engine)
    assert sorted(found.get_table_names()) == sorted(t.name for t in metadata.sorted_tables)
    for table in metadata.sorted_tables:
        columns = {c["name"]: c for c in found.get_columns(table.name)}
        assert list(columns) == [c.name for c in table.columns], table.name
        for column in table.columns:
            assert columns[column.name]["nullable"] == column.nullable, (table.name, column.name)
        assert found.get_pk_constraint(table.name)["constrained_columns"] == [c.name for c in table.primary_key]
    uniques = found.get_unique_constraints("bundles")
    assert [u["column_names"] for u in uniques] == [["device_id", "period", "revision"]]


def test_migrations_run_once(store: Store, db_url: URL) -> None:
    again = Store.open(db_url)
    try:
        with again.engine.connect() as conn:
            rows = conn.execute(select(schema_versions.c.version)).scalars().all()
        assert rows == [m.version for m in migrations.MIGRATIONS]
        assert migrations.migrate(again.write) == []
    finally:
        again.close()


def test_a_database_newer_than_the_code_is_refused_untouched(store: Store, db_url: URL) -> None:
    with store.write() as conn:
        conn.execute(schema_versions.insert().values(version=99, description="from the future", applied_at="x"))
    try:
        with pytest.raises(HubError) as caught:
            Store.open(db_url)
        assert caught.value.code == "schema_too_new"
        assert "99" in caught.value.detail
    finally:
        with store.write() as conn:
            conn.execute(schema_versions.delete().where(schema_versions.c.version == 99))


def test_an_unreachable_database_is_named_without_its_password() -> None:
    url = make_url("postgresql+psycopg://hub:s3cret-password@127.0.0.1:1/hub")
    with pytest.raises(StoreUnavailable) as caught:
        Store.open(url)
    assert "s3cret-password" not in caught.value.detail
    assert "127.0.0.1" in caught.value.detail


def test_db_urls_and_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COACHDESK_HUB_DB", raising=False)
    assert resolve_db_url("postgresql://u:p@h/db").drivername == "postgresql+psycopg"
    assert resolve_db_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    file_url = resolve_db_url("some/hub.sqlite3")
    assert file_url.drivername == "sqlite" and file_url.database and file_url.database.endswith("some/hub.sqlite3")
    assert resolve_db_url(None).database.endswith("hub/hub.sqlite3")  # type: ignore[union-attr]
    for bad in ("mysql://u@h/db", "sqlite://", "postgresql+asyncpg://u@h/db"):
        with pytest.raises(UsageError):
            resolve_db_url(bad)


def test_a_version_1_database_gains_the_dashboard_sessions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = URL.create("sqlite", database=str(tmp_path / "old.sqlite3"))
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:1])
        patch.setattr(migrations, "LATEST", 1)
        old = Store.open(url)
        token = access.add_user(old, "analyst")
        assert "dashboard_sessions" not in inspect(old.engine).get_table_names()
        old.close()
    new = Store.open(url)
    try:
        assert "dashboard_sessions" in inspect(new.engine).get_table_names()
        started = sessions.start(new, token)
        assert started is not None and sessions.user_for(new, started.session_id) == "analyst"
        with new.engine.connect() as conn:
            assert conn.execute(select(schema_versions.c.version)).scalars().all() == [1, 2]
    finally:
        new.close()
