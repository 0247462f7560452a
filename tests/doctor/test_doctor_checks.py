"""``tagihlite doctor``'s checks, each against a real folder (setup-excel's workbook and
xlwings.conf, real files, real SQLite) and, for the Windows ones, a fake ``winreg``."""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

import pytest
from support.fake_windows import FakeWinreg

from tagihlite.addin.build import build_workbook_bytes
from tagihlite.addin.setup_excel import setup_excel
from tagihlite.doctor import checks
from tagihlite.doctor.checks import CheckResult, run_checks
from tagihlite.doctor.probes import NoRegistry, PythonInfo, SystemProbe, WinRegistry

TRUSTED = r"Software\Microsoft\Office\16.0\Excel\Security\Trusted Locations"
POLICY = r"Software\Policies\Microsoft\Office\16.0\Excel\Security"
SECURITY = r"Software\Microsoft\Office\16.0\Excel\Security"


def windows(tmp_path: Path, keys: dict[str, dict[str, object]] | None = None,
            **env: str) -> SystemProbe:
    """A Windows machine as doctor sees it: fake registry, environment and home folder."""
    profile = tmp_path / "profile"
    return SystemProbe(platform="win32", env={"USERPROFILE": str(profile), **env},
                       registry=WinRegistry(FakeWinreg(keys or {})), home_dir=profile)


def linux(tmp_path: Path, **env: str) -> SystemProbe:
    return SystemProbe(platform="linux", env=env, registry=NoRegistry(),
                       home_dir=tmp_path / "profile")


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    """Documents/TagihLite as install.ps1 leaves it: the workbook and xlwings.conf."""
    return setup_excel(tmp_path / "Documents" / "TagihLite", executable=sys.executable,
                       platform="win32").workbook


def by_id(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.id: r for r in results}


def one(workbook: Path, probe: SystemProbe, check_id: str) -> CheckResult:
    return by_id(run_checks(workbook, probe))[check_id]


def trust(folder: Path, subfolders: int = 0, path: str | None = None) -> dict[str, object]:
    return {"Path": path or str(folder) + "\\", "AllowSubfolders": subfolders,
            "Description": "TagihLite"}


# --- the whole list ------------------------------------------------------------------------

def test_a_fresh_install_on_windows_is_all_ok(installed: Path, tmp_path: Path) -> None:
    probe = windows(tmp_path, {rf"{TRUSTED}\TagihLite": trust(installed.parent)})
    results = run_checks(installed, probe)
    assert [r.id for r in results] == [
        "python", "packages", "workbook_vba", "xlwings_conf", "interpreter",
        "trusted_location", "mark_of_the_web", "macro_policy",
        "keyring", "journal", "channel", "settings"]
    assert [r for r in results if not r.ok] == []
    assert all(r.fix == "" for r in results)


def test_windows_only_checks_are_left_out_elsewhere(installed: Path, tmp_path: Path) -> None:
    ids = [r.id for r in run_checks(installed, linux(tmp_path))]
    assert not {"trusted_location", "mark_of_the_web", "macro_policy"} & set(ids)


def test_every_fix_is_one_indonesian_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    # Nothing installed, bad settings, a Store python, a 32-bit one: almost everything fails.
    settings = tmp_path / "settings.toml"
    settings.write_text('channel = "telegram"\n', encoding="utf-8")
    monkeypatch.setenv("TAGIHLITE_CONFIG", str(settings))
    probe = windows(tmp_path, {rf"{SECURITY}": {"VBAWarnings": 4}})
    probe.python_info = PythonInfo((3, 9, 1), 32, r"C:\Python39-32\python.exe")
    results = run_checks(tmp_path / "nowhere" / "tagihlite.xlsm", probe)
    failed = [r for r in results if not r.ok]
    assert len(failed) >= 8
    for r in failed:
        assert r.fix.endswith(".") and r.fix[0].isupper(), r
        assert not re.search(r"[.!?]\s+[A-Z]", r.fix[:-1]), f"more than one sentence: {r.fix}"
        assert r.detail


def test_a_crashing_check_becomes_a_failed_item(installed: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: checks.Context) -> CheckResult:
        raise RuntimeError("boom")

    monkeypatch.setattr(checks, "CHECKS", (broken, *checks.CHECKS[1:]))
    first = run_checks(installed, linux(tmp_path))[0]
    assert (first.id, first.ok) == ("broken", False)
    assert "RuntimeError" in first.detail and "tim TagihLite" in first.fix


# --- Python and packages ----------------------------------------------------------------------

@pytest.mark.parametrize(("info", "word"), [
    (PythonInfo((3, 12, 1), 64, r"C:\Users\a\AppData\Local\Microsoft\WindowsApps\python.exe"),
     "Microsoft Store"),
    (PythonInfo((3, 12, 1), 64, r"C:\Users\a\AppData\Local\TagihLite\venv\Scripts\python.exe",
                r"C:\Program Files\WindowsApps\PythonSoftwareFoundation.Python.3.12_x64"),
     "Microsoft Store"),
    (PythonInfo((3, 9, 13), 64, r"C:\Python39\python.exe"), "terlalu lama"),
    (PythonInfo((3, 12, 1), 32, r"C:\Python312-32\python.exe"), "bukan 64-bit"),
])
def test_python_that_cannot_run_tagihlite(info: PythonInfo, word: str, installed: Path,
                                          tmp_path: Path) -> None:
    probe = windows(tmp_path)
    probe.python_info = info
    result = one(installed, probe, "python")
    assert not result.ok and word in result.detail
    assert "python.org" in result.fix


def test_python_of_this_test_run_is_fine(installed: Path, tmp_path: Path) -> None:
    result = one(installed, linux(tmp_path), "python")
    assert result.ok and sys.executable in result.detail


def test_packages_name_both_versions(installed: Path, tmp_path: Path) -> None:
    from tagihlite import __version__

    result = one(installed, linux(tmp_path), "packages")
    assert result.ok and f"tagihlite {__version__}" in result.detail
    assert "xlwings 0.37.8" in result.detail


def test_packages_with_another_xlwings(installed: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "installed_version",
                        lambda name: "0.33.1" if name == "xlwings" else "0.1.0")
    result = one(installed, linux(tmp_path), "packages")
    assert not result.ok and "0.33.1" in result.detail and "0.37.8" in result.detail


def _with_xlwings_version(path: Path, version: str) -> None:
    """Rewrite the workbook's VBA project with another XLWINGS_VERSION in the xlwings module."""
    from tagihlite.addin.build import vba_modules
    from tagihlite.addin.vbaproject import VbaModule, build_vba_project

    modules = [VbaModule(m.name, m.kind, m.source.replace(
        'XLWINGS_VERSION As String = "0.37.8"', f'XLWINGS_VERSION As String = "{version}"'))
        for m in vba_modules()]
    original = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "xl/vbaProject.bin":
                data = build_vba_project(modules)
            package.writestr(item, data)
    path.write_bytes(out.getvalue())


def test_workbook_vba_matches_the_package(installed: Path, tmp_path: Path) -> None:
    result = one(installed, linux(tmp_path), "workbook_vba")
    assert result.ok and "0.37.8" in result.detail


def test_workbook_vba_of_another_xlwings_version(installed: Path, tmp_path: Path) -> None:
    _with_xlwings_version(installed, "0.30.10")
    result = one(installed, linux(tmp_path), "workbook_vba")
    assert not result.ok
    assert "modul VBA xlwings 0.30.10" in result.detail and "paket xlwings 0.37.8" in result.detail


def test_workbook_missing_or_damaged(tmp_path: Path) -> None:
    missing = one(tmp_path / "x" / "tagihlite.xlsm", linux(tmp_path), "workbook_vba")
    assert not missing.ok and "setup-excel" in missing.fix
    damaged = tmp_path / "rusak.xlsm"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    result = one(damaged, linux(tmp_path), "workbook_vba")
    assert not result.ok and "tidak terbaca" in result.detail


def test_workbook_without_vba(tmp_path: Path) -> None:
    plain = tmp_path / "biasa.xlsx"
    with zipfile.ZipFile(io.BytesIO(build_workbook_bytes())) as src, \
            zipfile.ZipFile(plain, "w") as dst:
        for item in src.infolist():
            if item.filename != "xl/vbaProject.bin":
                dst.writestr(item, src.read(item))
    result = one(plain, linux(tmp_path), "workbook_vba")
    assert not result.ok and "tidak ada" in result.detail


# --- xlwings.conf -------------------------------------------------------------------------------

def test_conf_beside_the_workbook(installed: Path, tmp_path: Path) -> None:
    results = by_id(run_checks(installed, windows(tmp_path)))
    assert results["xlwings_conf"].ok
    assert results["interpreter"].ok and "INTERPRETER_WIN" in results["interpreter"].detail


def test_no_conf_anywhere(tmp_path: Path) -> None:
    workbook = tmp_path / "kosong" / "tagihlite.xlsm"
    results = by_id(run_checks(workbook, windows(tmp_path)))
    assert not results["xlwings_conf"].ok
    assert str(tmp_path / "profile" / ".xlwings" / "xlwings.conf") in results["xlwings_conf"].detail
    assert not results["interpreter"].ok and "INTERPRETER_WIN" in results["interpreter"].detail


def test_the_user_wide_conf_counts(tmp_path: Path) -> None:
    user_conf = tmp_path / "profile" / ".xlwings" / "xlwings.conf"
    user_conf.parent.mkdir(parents=True)
    user_conf.write_bytes(f'"INTERPRETER_WIN","{sys.executable}"\r\n'.encode())
    results = by_id(run_checks(tmp_path / "wb" / "tagihlite.xlsm", windows(tmp_path)))
    assert results["xlwings_conf"].ok and results["interpreter"].ok
    assert str(user_conf) in results["interpreter"].detail


def test_the_workbook_folder_wins_over_the_user_conf(installed: Path, tmp_path: Path) -> None:
    user_conf = tmp_path / "profile" / ".xlwings" / "xlwings.conf"
    user_conf.parent.mkdir(parents=True)
    user_conf.write_bytes(b'"INTERPRETER_WIN","C:\\nowhere\\python.exe"\r\n')
    result = one(installed, windows(tmp_path), "interpreter")
    assert result.ok and str(installed.parent / "xlwings.conf") in result.detail


@pytest.mark.parametrize(("text", "problem"), [
    (b'"INTERPRETER_WIN","C:\\py\\pythonw.exe"\r\n\r\n"ADD_WORKBOOK_TO_PYTHONPATH","false"\r\n',
     "baris 2 kosong"),
    (b'"INTERPRETER_WIN","C:\\py\\pythonw.exe"\r\n\r\n', "baris 2 kosong"),
    (b'"INTERPRETER_WIN" "C:\\py\\pythonw.exe"\r\n', 'baris 1 tidak berbentuk "KUNCI","NILAI"'),
])
def test_conf_with_empty_or_broken_lines(text: bytes, problem: str, installed: Path,
                                         tmp_path: Path) -> None:
    (installed.parent / "xlwings.conf").write_bytes(text)
    result = one(installed, windows(tmp_path), "xlwings_conf")
    assert not result.ok and problem in result.detail
    assert "baris kosong" in result.fix


def test_interpreter_that_is_the_store_alias(installed: Path, tmp_path: Path) -> None:
    (installed.parent / "xlwings.conf").write_bytes(
        b'"INTERPRETER_WIN","%LOCALAPPDATA%\\Microsoft\\WindowsApps\\python.exe"\r\n')
    probe = windows(tmp_path, LOCALAPPDATA=r"C:\Users\siti\AppData\Local")
    result = one(installed, probe, "interpreter")
    assert not result.ok and "Microsoft Store" in result.detail
    assert r"C:\Users\siti\AppData\Local\Microsoft\WindowsApps\python.exe" in result.detail


def test_interpreter_path_that_does_not_exist(installed: Path, tmp_path: Path) -> None:
    (installed.parent / "xlwings.conf").write_bytes(
        f'"INTERPRETER_WIN","{tmp_path}/hilang/pythonw.exe"\r\n'.encode())
    result = one(installed, windows(tmp_path), "interpreter")
    assert not result.ok and "tidak ada" in result.detail and "setup-excel" in result.fix


def test_interpreter_with_an_environment_variable(installed: Path, tmp_path: Path) -> None:
    venv = Path(sys.executable).parent
    (installed.parent / "xlwings.conf").write_bytes(
        f'"INTERPRETER_WIN","%TL_VENV%/{Path(sys.executable).name}"\r\n'.encode())
    result = one(installed, windows(tmp_path, tl_venv=str(venv)), "interpreter")
    assert result.ok, result


# --- Windows: Trusted Location, Mark of the Web, macro policy ---------------------------------

def test_folder_not_a_trusted_location(installed: Path, tmp_path: Path) -> None:
    probe = windows(tmp_path, {rf"{TRUSTED}\Location0": trust(tmp_path / "lain")})
    result = one(installed, probe, "trusted_location")
    assert not result.ok and "install.cmd" in result.fix and str(installed.parent) in result.fix
    assert "Trusted Locations" in result.detail


def test_trusted_location_written_like_office(installed: Path, tmp_path: Path) -> None:
    # Office stores "C:\...\TagihLite\" with a trailing backslash; case does not matter.
    folder = str(installed.parent).upper() + "\\"
    probe = windows(tmp_path, {rf"{TRUSTED}\Location3": trust(installed.parent, path=folder)})
    result = one(installed, probe, "trusted_location")
    assert result.ok and folder in result.detail


def test_trusted_parent_needs_allow_subfolders(installed: Path, tmp_path: Path) -> None:
    parent = installed.parent.parent
    assert not one(installed, windows(tmp_path, {rf"{TRUSTED}\L": trust(parent, 0)}),
                   "trusted_location").ok
    assert one(installed, windows(tmp_path, {rf"{TRUSTED}\L": trust(parent, 1)}),
               "trusted_location").ok


def test_trusted_location_with_environment_variable(installed: Path, tmp_path: Path) -> None:
    probe = windows(tmp_path, {rf"{TRUSTED}\L": trust(installed.parent,
                                                      path="%TL_DOCS%\\TagihLite\\")},
                    TL_DOCS=str(installed.parent.parent))
    assert one(installed, probe, "trusted_location").ok


def test_policy_disables_every_trusted_location(installed: Path, tmp_path: Path) -> None:
    probe = windows(tmp_path, {rf"{TRUSTED}\TagihLite": trust(installed.parent),
                               rf"{POLICY}\Trusted Locations": {"AllLocationsDisabled": 1}})
    result = one(installed, probe, "trusted_location")
    assert not result.ok and "tim TI" in result.fix


def test_policy_trusted_location_counts(installed: Path, tmp_path: Path) -> None:
    probe = windows(tmp_path, {rf"{POLICY}\Trusted Locations\Kantor": trust(installed.parent)})
    assert one(installed, probe, "trusted_location").ok


@pytest.mark.parametrize(("stream", "ok"), [
    (None, True),
    ("[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=https://mail.example/\r\n", False),
    ("[ZoneTransfer]\r\nZoneId=4\r\n", False),
    ("[ZoneTransfer]\r\nZoneId=1\r\n", True),  # local intranet: Office does not block
])
def test_mark_of_the_web(stream: str | None, ok: bool, installed: Path, tmp_path: Path) -> None:
    # The real probe opens "<file>:Zone.Identifier": the NTFS stream on Windows, and on Linux
    # a file of exactly that name, which stands in for the stream here.
    if stream is not None:
        Path(f"{installed}:Zone.Identifier").write_text(stream, encoding="ascii")
    result = one(installed, windows(tmp_path), "mark_of_the_web")
    assert result.ok is ok
    if not ok:
        assert "Unblock-File" in result.fix and str(installed) in result.fix


def test_mark_of_the_web_in_a_trusted_location_does_not_block(installed: Path,
                                                              tmp_path: Path) -> None:
    Path(f"{installed}:Zone.Identifier").write_text("[ZoneTransfer]\r\nZoneId=3\r\n",
                                                    encoding="ascii")
    probe = windows(tmp_path, {rf"{TRUSTED}\TagihLite": trust(installed.parent)})
    result = one(installed, probe, "mark_of_the_web")
    assert result.ok and "ZoneId=3" in result.detail and "Trusted Location" in result.detail


@pytest.mark.parametrize(("keys", "trusted", "ok", "shown"), [
    ({}, False, True, "VBAWarnings=2"),
    ({SECURITY: {"VBAWarnings": 4}}, False, False, "VBAWarnings=4"),
    ({SECURITY: {"VBAWarnings": 4}}, True, True, "VBAWarnings=4"),
    ({SECURITY: {"VBAWarnings": 3}}, False, False, "VBAWarnings=3"),
    ({SECURITY: {"VBAWarnings": 1}, POLICY: {"VBAWarnings": 4}}, False, False, "kebijakan"),
    ({SECURITY: {"VBAWarnings": 4}, POLICY: {"VBAWarnings": 2}}, False, True, "kebijakan"),
])
def test_macro_policy(keys: dict[str, dict[str, object]], trusted: bool, ok: bool, shown: str,
                      installed: Path, tmp_path: Path) -> None:
    keys = dict(keys)
    if trusted:
        keys[rf"{TRUSTED}\TagihLite"] = trust(installed.parent)
    result = one(installed, windows(tmp_path, keys), "macro_policy")
    assert result.ok is ok and shown in result.detail


# --- keyring, journal, channel, settings ---------------------------------------------------------

def _settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("TAGIHLITE_CONFIG", str(path))


def test_bad_settings_file(installed: Path, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    _settings(monkeypatch, tmp_path, "daily_cap = -5\n")
    results = by_id(run_checks(installed, linux(tmp_path)))
    assert not results["settings"].ok and "daily_cap" in results["settings"].detail
    assert str(tmp_path / "settings.toml") in results["settings"].fix
    assert not results["journal"].ok and not results["channel"].ok
    assert "tidak diperiksa" in results["journal"].detail


def test_journal_in_a_writable_folder(installed: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "belum" / "ada" / "journal.sqlite"
    _settings(monkeypatch, tmp_path, f"journal_path = '{target}'\n")
    result = one(installed, linux(tmp_path), "journal")
    assert result.ok and str(target) in result.detail
    assert not (tmp_path / "belum").exists()  # doctor looks, it does not create


def test_an_existing_journal_is_reachable(installed: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from tagihlite.journal.sqlite import Journal

    target = tmp_path / "journal.sqlite"
    Journal(target).close()
    before = target.read_bytes()
    _settings(monkeypatch, tmp_path, f"journal_path = '{target}'\n")
    assert one(installed, linux(tmp_path), "journal").ok
    assert target.read_bytes() == before


def test_journal_that_cannot_be_used(installed: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "bukan-folder"
    blocker.write_text("x", encoding="utf-8")
    _settings(monkeypatch, tmp_path, f"journal_path = '{blocker / 'journal.sqlite'}'\n")
    result = one(installed, linux(tmp_path), "journal")
    assert not result.ok and "journal_path" in result.fix
    corrupt = tmp_path / "rusak.sqlite"
    corrupt.write_bytes(b"this is not a database" * 100)
    _settings(monkeypatch, tmp_path, f"journal_path = '{corrupt}'\n")
    result = one(installed, linux(tmp_path), "journal")
    assert not result.ok and "rusak" in result.detail


def test_cloud_channel_needs_token_and_phone_number_id(installed: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAGIHLITE_CLOUD_TOKEN", raising=False)
    _settings(monkeypatch, tmp_path, 'channel = "cloud"\n')
    result = one(installed, linux(tmp_path), "channel")
    assert not result.ok and "cloud_token" in result.detail and "phone_number_id" in result.detail
    _settings(monkeypatch, tmp_path, 'channel = "cloud"\n[cloud]\nphone_number_id = "1055"\n')
    monkeypatch.setenv("TAGIHLITE_CLOUD_TOKEN", "EAAG-token-for-test")
    result = one(installed, linux(tmp_path), "channel")
    assert result.ok and "EAAG" not in result.detail  # never the secret itself


def test_whatsapp_web_needs_a_display(installed: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _settings(monkeypatch, tmp_path, 'channel = "whatsapp-web"\n')
    assert not one(installed, linux(tmp_path), "channel").ok
    assert one(installed, linux(tmp_path, DISPLAY=":99"), "channel").ok
    assert one(installed, windows(tmp_path), "channel").ok


def test_keyring(installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                 file_keyring: object) -> None:
    result = one(installed, linux(tmp_path), "keyring")
    assert result.ok and "StandInKeyring" in result.detail


def test_no_keyring_only_matters_for_cloud(installed: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert one(installed, linux(tmp_path), "keyring").ok
        _settings(monkeypatch, tmp_path, 'channel = "cloud"\n')
        result = one(installed, linux(tmp_path), "keyring")
        assert not result.ok and "TAGIHLITE_CLOUD_TOKEN" in result.fix
    finally:
        keyring.set_keyring(previous)
