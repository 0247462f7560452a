"""Secrets: OS keyring first, environment second; never in any file TagihLite writes."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

import pytest
from auth_support import STAFF_PW, SUPERVISOR_PW

from tagihlite.auth import secrets
from tagihlite.cli import main

CLOUD_TOKEN = "EAAGtoken-Zq81Lw0pXv3Kc7TnYs5Rb2Mh9Jd4Fg6"
WEBHOOK_SECRET = "whsec_4b7f1e0c9a2d8e6f3a5c7b9d1e0f2a4c"


def test_keyring_first_then_environment(file_keyring: object,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGIHLITE_CLOUD_TOKEN", "from-env")
    assert secrets.get_secret("cloud_token") == "from-env"
    secrets.set_secret("cloud_token", CLOUD_TOKEN)
    assert secrets.get_secret("cloud_token") == CLOUD_TOKEN
    secrets.delete_secret("cloud_token")
    secrets.delete_secret("cloud_token")  # absent: nothing to do
    assert secrets.get_secret("cloud_token") == "from-env"
    monkeypatch.delenv("TAGIHLITE_CLOUD_TOKEN")
    assert secrets.get_secret("cloud_token") is None


@pytest.mark.parametrize("backend", ["fail", "plaintext"])
def test_without_a_secure_keyring_set_refuses_and_get_uses_env(
        backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keyring = pytest.importorskip("keyring")
    if backend == "fail":
        from keyring.backends.fail import Keyring as Chosen  # headless Linux, no D-Bus
        chosen = Chosen()
    else:  # a plain-text file is not a safe home for a token: refused on purpose
        file_mod = pytest.importorskip("keyrings.alt.file")
        chosen = file_mod.PlaintextKeyring()
        chosen.file_path = str(tmp_path / "plain.cfg")
    previous = keyring.get_keyring()
    keyring.set_keyring(chosen)
    try:
        assert not secrets.keyring_available()
        with pytest.raises(secrets.SecretStoreUnavailable) as exc:
            secrets.set_secret("webhook_secret", WEBHOOK_SECRET)
        assert "TAGIHLITE_WEBHOOK_SECRET" in str(exc.value)
        assert WEBHOOK_SECRET not in str(exc.value)
        assert not (tmp_path / "plain.cfg").exists()
        monkeypatch.setenv("TAGIHLITE_WEBHOOK_SECRET", WEBHOOK_SECRET)
        assert secrets.get_secret("webhook_secret") == WEBHOOK_SECRET
    finally:
        keyring.set_keyring(previous)


def test_secret_names_are_checked() -> None:
    for bad in ("", "Cloud-Token", "1token", "a b"):
        with pytest.raises(secrets.TagihError, match="tidak valid"):
            secrets.set_secret(bad, "x")


def _variants(value: str) -> list[bytes]:
    raw = value.encode("utf-8")
    return [raw, value.encode("utf-16-le"), base64.b64encode(raw), raw.hex().encode()]


def _blobs(path: Path) -> list[tuple[str, bytes]]:
    """A file's bytes, plus every member if it is a zip container (xlsx/xlsm)."""
    data = path.read_bytes()
    found = [(str(path), data)]
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            found += [(f"{path}!{n}", zf.read(n)) for n in zf.namelist()]
    return found


def _leaks(folders: list[Path], values: list[str]) -> list[str]:
    hits = []
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            for where, blob in _blobs(path):
                hits += [f"{where}: {v[:4]}…" for v in values
                         if any(variant in blob for variant in _variants(v))]
    return hits


def test_no_file_tagihlite_writes_contains_a_secret_or_password(
        file_keyring: object, home: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def cli(*argv: str, stdin: str = "") -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return main(list(argv))

    workbooks = tmp_path / "workbooks"
    monkeypatch.setenv("TAGIHLITE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    assert cli("users", "add", "Siti", "--role", "supervisor", "--password-stdin",
               stdin=SUPERVISOR_PW + "\n") == 0
    assert cli("login", "Siti", "--password-stdin", stdin=SUPERVISOR_PW + "\n") == 0
    assert cli("secrets", "set", "cloud_token", "--value-stdin", stdin=CLOUD_TOKEN + "\n") == 0
    assert secrets.get_secret("cloud_token") == CLOUD_TOKEN
    assert cli("users", "add", "Budi", "--role", "staff", "--password-stdin",
               stdin=STAFF_PW + "\n") == 0
    assert cli("login", "Budi", "--password-stdin", stdin="salah-tebak-1\n") == 2
    assert cli("login", "Budi", "--password-stdin", stdin=STAFF_PW + "\n") == 0
    assert cli("users", "passwd", "Budi", "--password-stdin",
               stdin=f"{STAFF_PW}\nGanti-sandi-42\n") == 0
    assert cli("demo", str(workbooks)) == 0
    workbook = workbooks / "tagihan-demo.xlsx"
    assert cli("send", str(workbook), "--via", "outbox", "--yes") in (0, 1)
    assert cli("logout") == 0
    assert cli("login", "Siti", "--password-stdin", stdin=SUPERVISOR_PW + "\n") == 0
    assert cli("optout", "add", "081234567890", "--reason", "minta berhenti") == 0
    session_token = file_keyring.get_password("TagihLite", "session-token")  # type: ignore[attr-defined]
    assert session_token
    assert cli("audit", "export", str(workbooks / "audit.csv")) == 0
    assert cli("config", "show") == 0
    from tagihlite.settings import dumps, load

    (home / "settings.toml").write_text(dumps(load()), encoding="utf-8")
    assert cli("config", "show") == 0
    assert cli("secrets", "unset", "cloud_token") == 0
    out, err = capsys.readouterr()

    written = [p for p in home.rglob("*") if p.is_file()]
    names = {p.name for p in written}
    assert {"users.sqlite", "journal.sqlite", "settings.toml"} <= names, names
    assert (workbooks / "audit.csv").exists() and workbook.exists()
    values = [CLOUD_TOKEN, WEBHOOK_SECRET, SUPERVISOR_PW, STAFF_PW, "salah-tebak-1",
              "Ganti-sandi-42", session_token]
    assert _leaks([home, workbooks], values) == []
    for value in values:
        assert value not in out and value not in err
    # The scanner itself finds what it is meant to find (the stand-in keyring held it).
    keyring_dir = Path(file_keyring.file_path).parent  # type: ignore[attr-defined]
    plant = keyring_dir / "probe.bin"
    plant.write_bytes(b"xx" + base64.b64encode(WEBHOOK_SECRET.encode()) + b"yy")
    assert _leaks([keyring_dir], [WEBHOOK_SECRET])
