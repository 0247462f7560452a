"""A real, throw-away PostgreSQL server for tests and benchmarks (Debian's binaries).

``initdb`` + ``pg_ctl`` in a fresh temporary folder, listening on a free loopback port and
on a Unix socket inside that folder. PostgreSQL refuses to run as root (tests and CI run
as root), so the server runs as an unprivileged account (``postgres``, else ``nobody``)
through ``runuser``; the folder is handed to that account.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

BIN_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin",
            "/usr/lib/postgresql/17/bin")
ADMIN = "postgres"
ADMIN_PASSWORD = "admin-test-pw"  # a throw-away server on loopback only


def bin_dir() -> Path | None:
    env = os.environ.get("TAGIHLITE_PG_BIN")
    for d in ([env] if env else []) + list(BIN_DIRS):
        if d and (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists():
            return Path(d)
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _runuser() -> str:
    # util-linux's runuser lives in /usr/sbin, which a minimal PATH (CI, cron) may lack.
    found = shutil.which("runuser") or next(
        (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if Path(p).exists()), None)
    if found is None:
        raise RuntimeError("runuser (util-linux) not found: needed to start PostgreSQL as root")
    return found


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return [_runuser(), "-u", name, "--"]
    raise RuntimeError("no unprivileged account to run PostgreSQL as")


class PgServer:
    def __init__(self) -> None:
        found = bin_dir()
        if found is None:
            raise FileNotFoundError("PostgreSQL binaries (initdb, pg_ctl) not found")
        self.bin = found
        self.root = Path(tempfile.mkdtemp(prefix="tagihlite-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.prefix = _run_as()
        if self.prefix:
            account = pwd.getpwnam(self.prefix[2])
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self._started = False

    def _as_owner(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.prefix, *cmd], check=check, capture_output=True,
                              text=True, cwd=self.root, timeout=120)

    def start(self) -> PgServer:
        if not self.data.exists():
            pwfile = self.root / "pw"
            pwfile.write_text(ADMIN_PASSWORD + "\n")
            if self.prefix:
                account = pwd.getpwnam(self.prefix[2])
                os.chown(pwfile, account.pw_uid, account.pw_gid)
            self._as_owner(str(self.bin / "initdb"), "-D", str(self.data), "-U", ADMIN,
                           f"--pwfile={pwfile}", "--auth-local=trust",
                           "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync")
            pwfile.unlink()
        self._as_owner(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                       str(self.root / "log"), "-w", "-t", "60", "start", "-o",
                       f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                       "-c fsync=off -c max_connections=200")
        self._started = True
        return self

    def stop(self, mode: str = "fast") -> None:
        if self._started:
            self._as_owner(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w",
                           "stop", check=False)
            self._started = False

    def restart(self) -> None:
        self.stop()
        self.start()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres", user: str = ADMIN) -> str:
        """TCP URL without a password (it comes from PGPASSWORD, as on the clerks' PCs)."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def admin_sql(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(host=str(self.root), port=self.port, user=ADMIN,
                             dbname=database, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self, name: str) -> str:
        self.admin_sql(f'CREATE DATABASE "{name}"')
        return self.url(name)
