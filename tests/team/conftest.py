"""A real PostgreSQL server for the team-mode tests (one per session, a database per test)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from support.pgserver import ADMIN_PASSWORD, PgServer, bin_dir

_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    if bin_dir() is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not installed: apt-get install "
                    "postgresql")
    server = PgServer().start()
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def pg_url(pg_server: PgServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh, empty database; the admin password comes from the environment."""
    monkeypatch.setenv("PGPASSWORD", ADMIN_PASSWORD)
    monkeypatch.delenv("TAGIHLITE_DB_PASSWORD", raising=False)
    return pg_server.create_database(f"t{next(_names)}")


@pytest.fixture
def team_url(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated team database, chosen for this test via TAGIHLITE_JOURNAL_URL."""
    from tagihlite.journal import migrations, pgdb

    conn = pgdb.connect(pg_url)
    try:
        migrations.migrate(conn)
    finally:
        conn.close()
    monkeypatch.setenv("TAGIHLITE_JOURNAL_URL", pg_url)
    return pg_url
