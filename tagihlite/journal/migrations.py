"""The team database's schema: numbered migrations, each applied once, in order.

``tagihlite team init URL`` runs :func:`migrate`; running it again does nothing. A later
feature adds a migration at the end of :data:`MIGRATIONS` (never edits an applied one).
Everything an application login needs is granted to the group role ``tagihlite_app``;
clerks' database logins are members of it. The audit table is append-only for that role
(SELECT and INSERT only) and, for every role including the owner, a trigger refuses
UPDATE, DELETE and TRUNCATE.
"""

from __future__ import annotations

from typing import Any

APP_ROLE = "tagihlite_app"

_V1 = r"""
CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE reminders (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    channel TEXT,
    operator TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    intent_at TEXT,
    finished_at TEXT,
    provider_id TEXT,
    provider_at TEXT,
    error_code TEXT,
    note TEXT NOT NULL DEFAULT '',
    message TEXT,
    phone TEXT,
    amount BIGINT,
    workbook TEXT,
    sheet_row INTEGER,
    run_id TEXT,
    host TEXT
);
CREATE INDEX reminders_provider ON reminders(provider_id);
CREATE INDEX reminders_in_flight ON reminders(run_id) WHERE state = 'pending';
CREATE TABLE attempts (
    id BIGSERIAL PRIMARY KEY,
    key TEXT NOT NULL,
    at TEXT NOT NULL,
    state TEXT NOT NULL,
    channel TEXT,
    operator TEXT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attempts_key ON attempts(key);
CREATE INDEX attempts_at ON attempts(at);

-- One row per send run on any PC; the heartbeat is the claims' lease.
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    operator TEXT NOT NULL,
    workbook TEXT NOT NULL DEFAULT '',
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_seconds DOUBLE PRECISION NOT NULL DEFAULT 120,  -- this run's own lease
    ended_at TIMESTAMPTZ
);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    actor TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE users (
    name CITEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('staff', 'supervisor')),
    pw_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    locked_until DOUBLE PRECISION NOT NULL DEFAULT 0,
    last_failed_at DOUBLE PRECISION NOT NULL DEFAULT 0,
    created_at DOUBLE PRECISION NOT NULL,
    created_by TEXT NOT NULL
);
CREATE TABLE failed_unknown (
    bucket TEXT PRIMARY KEY,
    failed INTEGER NOT NULL,
    last_failed_at DOUBLE PRECISION NOT NULL,
    locked_until DOUBLE PRECISION NOT NULL DEFAULT 0
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    name CITEXT NOT NULL,
    os_user TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE opt_out (
    number TEXT PRIMARY KEY,
    reason TEXT NOT NULL DEFAULT '',
    added_by TEXT NOT NULL,
    added_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tagihlite_app') THEN
        CREATE ROLE tagihlite_app NOLOGIN;
    END IF;
END $$;
GRANT SELECT, INSERT, UPDATE ON reminders, runs, meta TO tagihlite_app;
GRANT SELECT, INSERT ON attempts TO tagihlite_app;
GRANT USAGE ON SEQUENCE attempts_id_seq TO tagihlite_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON users, failed_unknown, sessions, opt_out
    TO tagihlite_app;
GRANT SELECT, INSERT ON audit_log TO tagihlite_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM tagihlite_app;
"""

# Payments and each bill's first amount (journal/payments.py), shared by every PC. Rows
# are only ever added (re-imports are ON CONFLICT DO NOTHING): no UPDATE or DELETE.
_V2 = r"""
CREATE TABLE payments (
    id BIGSERIAL PRIMARY KEY,
    customer_id TEXT NOT NULL,
    period TEXT NOT NULL,
    paid_on TEXT NOT NULL,
    amount BIGINT NOT NULL,
    seq INTEGER NOT NULL,
    source TEXT NOT NULL,
    sheet TEXT NOT NULL,
    source_row INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    operator TEXT NOT NULL DEFAULT '',
    UNIQUE (customer_id, period, paid_on, amount, seq)
);
CREATE TABLE bills (
    customer_id TEXT NOT NULL,
    period TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (customer_id, period)
);
GRANT SELECT, INSERT ON payments, bills TO tagihlite_app;
GRANT USAGE ON SEQUENCE payments_id_seq TO tagihlite_app;
"""

# (version, description, SQL). Append only; never change an applied entry.
MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (1, "journal, runs, audit, users, sessions, opt-outs, app role", _V1),
    (2, "payments and bills", _V2),
)

_LOCK = 7_231_000  # advisory lock: two `team init` at once apply each migration once


def current_version(conn: Any) -> int:
    row = conn.execute("SELECT to_regclass('schema_version')").fetchone()
    if row[0] is None:
        return 0
    (version,) = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
    return int(version)


def latest() -> int:
    return MIGRATIONS[-1][0]


def migrate(conn: Any) -> list[int]:
    """Apply the missing migrations (in one transaction); the versions applied."""
    applied: list[int] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                     "description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL "
                     "DEFAULT now())")
        conn.execute("GRANT SELECT ON schema_version TO PUBLIC")
        have = current_version(conn)
        for version, description, sql in MIGRATIONS:
            if version <= have:
                continue
            conn.execute(sql)
            conn.execute("INSERT INTO schema_version (version, description) VALUES (%s, %s)",
                         (version, description))
            applied.append(version)
    return applied
