"""Users, sessions, the opt-out list and the audit log in the team database."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from support.pgserver import PgServer

from tagihlite.auth import store
from tagihlite.auth.audit import open_audit
from tagihlite.auth.identity import current_operator
from tagihlite.auth.login import login, logout
from tagihlite.auth.optout import add_opt_out, load_opted_out
from tagihlite.auth.users import add_user
from tagihlite.settings import Settings

SUPERVISOR_PW = "Supervisor#2026"
STAFF_PW = "StafDumai!77"


@pytest.fixture
def pc(team_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LOGNAME", "clerk-pc1")
    return Settings()


def test_users_sessions_and_opt_outs_live_in_the_team_database(pc: Settings,
                                                               team_url: str) -> None:
    add_user(pc, "Siti", "supervisor", SUPERVISOR_PW)
    assert not pc.users_file.exists()  # nothing on this PC's disk
    login(pc, "siti", SUPERVISOR_PW)  # names are case-insensitive, as in SQLite
    assert current_operator(pc).name == "Siti"
    add_user(pc, "Budi", "staff", STAFF_PW)
    e164, added = add_opt_out(pc, "0812-7000-1001", "minta berhenti")
    assert added and load_opted_out(pc) == {e164}
    with psycopg.connect(team_url) as db:
        (sessions,) = db.execute("SELECT count(*) FROM sessions").fetchone()  # type: ignore
        (users,) = db.execute("SELECT count(*) FROM users").fetchone()  # type: ignore
    assert sessions == 1 and users == 2  # server-side session state: only a token hash
    logout(pc)
    assert current_operator(pc).name == ""
    events = [e[2] for e in open_audit(pc).entries()]
    assert events == ["user_add", "login", "user_add", "optout_add", "logout"]
    assert open_audit(pc).verify() == []


def test_the_audit_log_is_append_only_for_the_application_role(
        pc: Settings, team_url: str, pg_server: PgServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    db_name = team_url.rsplit("/", 1)[1]
    pg_server.admin_sql("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
                        "'clerk_pc2') THEN CREATE ROLE clerk_pc2 LOGIN PASSWORD 'pw-pc2' IN "
                        "ROLE tagihlite_app; END IF; END $$")
    clerk_url = pg_server.url(db_name, user="clerk_pc2")
    monkeypatch.setenv("TAGIHLITE_JOURNAL_URL", clerk_url)
    monkeypatch.setenv("TAGIHLITE_DB_PASSWORD", "pw-pc2")  # as a clerk's PC has it
    monkeypatch.delenv("PGPASSWORD")
    log = open_audit(Settings())
    log.append("send", "Budi", key="1|2026-11|1", outcome="submitted")
    log.append("send", "Budi", key="2|2026-11|1", outcome="submitted")
    assert log.verify() == []
    with psycopg.connect(clerk_url, password="pw-pc2", autocommit=True) as db:
        for sql in ("UPDATE audit_log SET actor = 'Siti'", "DELETE FROM audit_log",
                    "TRUNCATE audit_log"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                db.execute(sql)  # type: ignore[arg-type]
    # Even the owner's edit is refused by the trigger; the chain is intact.
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        pg_server.admin_sql("UPDATE audit_log SET actor = 'Siti' WHERE seq = 1", db_name)
    assert log.verify() == []


def test_audit_verify_finds_a_rewritten_entry(pc: Settings, team_url: str,
                                              pg_server: PgServer) -> None:
    log = open_audit(pc)
    for i in range(3):
        log.append("send", "Budi", key=f"{i}|2026-11|1")
    db_name = team_url.rsplit("/", 1)[1]
    # A database superuser who switches the trigger off can still edit: the chain tells.
    pg_server.admin_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change; "
                        "UPDATE audit_log SET actor = 'Siti' WHERE seq = 2", db_name)
    assert log.verify() == ["Entri audit #2 telah diubah: isinya tidak cocok dengan hash-nya."]


def test_the_store_id_never_carries_a_password(pc: Settings) -> None:
    assert store.store_id(pc).startswith("postgresql://127.0.0.1:")
    assert store.exists(pc) and not Path(pc.users_file).exists()


def test_many_pcs_appending_at_once_keep_one_unbroken_chain(pc: Settings) -> None:
    import threading

    def clerk(n: int) -> None:
        log = open_audit(pc)  # its own connection, like another PC
        for i in range(40):
            log.append("send", f"Petugas{n}", key=f"{n}-{i}|2026-11|1")

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log = open_audit(pc)
    assert [e[0] for e in log.entries()] == list(range(1, 161))
    assert log.verify() == []


def test_the_server_hashes_each_link_exactly_as_python_does(pc: Settings) -> None:
    """One statement links and hashes on the server: awkward text must hash the same."""
    from tagihlite.auth.audit import GENESIS, entry_hash

    log = open_audit(pc)
    log.append("send", 'Ibu "Siti" Nur\'aini \\ é 🙂', key="1|2026-11|1", note="baris\nbaru %s ?")
    log.append("login", "Budi", ket="Rp 1.000.000,-")
    rows = log.entries()
    assert [r[0] for r in rows] == [1, 2] and rows[0][5] == GENESIS
    for seq, at, event, actor, details, prev, digest in rows:
        assert digest == entry_hash(seq, at, event, actor, details, prev)
    assert rows[1][5] == rows[0][6]
    assert log.verify() == []
