"""The one settings file (TOML), its defaults and its validation.

Every key is declared here once, with its type and default; ``tagihlite config show``
prints the effective values and the README documents them. Command-line options
override the file via :meth:`Settings.with_overrides`.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tagihlite.core.levels import DEFAULT_LEVELS, Level
from tagihlite.errors import SettingsError
from tagihlite.paths import data_dir, settings_file

if TYPE_CHECKING:
    from tagihlite.core.schedule import SendWindow

CHANNELS = ("outbox", "whatsapp-web", "cloud", "link")
RUPIAH_STYLES = ("puebi", "spasi", "angka")  # Rp1.250.000 | Rp 1.250.000 | 1.250.000


@dataclass(frozen=True)
class WhatsAppWebSettings:
    wait_seconds: int = 20  # time for WhatsApp Web to load before typing
    close_seconds: int = 4  # time after Enter before the tab closes
    close_tab: bool = True


@dataclass(frozen=True)
class CloudSettings:
    base_url: str = "https://graph.facebook.com"
    api_version: str = "v21.0"
    phone_number_id: str = ""
    template_name: str = "pengingat_tagihan"
    template_language: str = "id"
    # Our field names, in the order of the approved template's body {{1}}, {{2}}, ...
    body_parameters: list[str] = field(
        default_factory=lambda: ["name", "customer_id", "amount_rupiah", "due_date_text"]
    )
    messages_per_second: float = 80.0
    concurrency: int = 8
    max_retries: int = 5
    timeout_seconds: float = 15.0


@dataclass(frozen=True)
class WebhookSettings:
    host: str = "127.0.0.1"
    port: int = 8787
    read_timeout_seconds: float = 10.0  # a silent connection is closed after this
    max_connections: int = 32  # served at once; more are refused with 503


@dataclass(frozen=True)
class AuthSettings:
    users_path: str = ""  # empty: the app folder; a team may point it at a shared folder
    session_hours: float = 10.0
    max_failed_logins: int = 5
    lockout_minutes: float = 5.0


@dataclass(frozen=True)
class Settings:
    channel: str = "outbox"
    min_interval_seconds: float = 0.0
    daily_cap: int = 1000
    rupiah_style: str = "puebi"
    company: str = "PT Telkom Indonesia"
    branch: str = "Dumai"
    contact: str = "Plasa Telkom Dumai / 147"
    region: str = "ID"
    reminder_level: int = -1  # -1: each row at its due level ([[levels]]); N forces level N
    max_amount: int = 1_000_000_000  # a bigger amount is amount_invalid (a typo, not a bill)
    period: str = ""  # rows with no period in the data or title lines; empty: refuse / ask
    journal_path: str = ""  # empty: <app folder>/journal.sqlite
    # Team mode: "postgresql://user@host/db" (no password here; env TAGIHLITE_JOURNAL_URL
    # overrides). Empty: the embedded SQLite journal above.
    journal_url: str = ""
    claim_lease_seconds: float = 120.0  # a claim with no outcome and no heartbeat this long
    outbox_dir: str = ""  # empty: <app folder>/outbox
    # Quiet hours (WIB): "08:00-20:00"; empty = any time. Days/dates with no sending at all.
    send_window: str = ""
    skip_days: list[str] = field(default_factory=list)  # e.g. ["Minggu"]
    holidays: list[str] = field(default_factory=list)  # e.g. ["2026-12-25"]
    whatsapp_web: WhatsAppWebSettings = field(default_factory=WhatsAppWebSettings)
    cloud: CloudSettings = field(default_factory=CloudSettings)
    webhook: WebhookSettings = field(default_factory=WebhookSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    levels: list[Level] = field(default_factory=lambda: list(DEFAULT_LEVELS))
    # [columns]: field = the clerk's header text, e.g. phone = "Kontak Pelanggan"; wins over
    # guessing the columns from their headers and values.
    columns: dict[str, str] = field(default_factory=dict)

    # -- derived locations -------------------------------------------------
    @property
    def journal_file(self) -> Path:
        return Path(self.journal_path).expanduser() if self.journal_path else (
            data_dir() / "journal.sqlite")

    @property
    def team_url(self) -> str:
        """The team database URL (env TAGIHLITE_JOURNAL_URL first), or "" for SQLite."""
        import os

        return os.environ.get("TAGIHLITE_JOURNAL_URL", "").strip() or self.journal_url.strip()

    @property
    def outbox_path(self) -> Path:
        return Path(self.outbox_dir).expanduser() if self.outbox_dir else data_dir() / "outbox"

    @property
    def users_file(self) -> Path:
        p = self.auth.users_path
        return Path(p).expanduser() if p else data_dir() / "users.sqlite"

    @property
    def send_schedule(self) -> SendWindow:
        from tagihlite.core.schedule import SendWindow

        return SendWindow.parse(self.send_window, self.skip_days, self.holidays)

    def with_overrides(self, **values: Any) -> Settings:
        """Return a copy with top-level keys replaced; ``None`` values are ignored."""
        given = {k: v for k, v in values.items() if v is not None}
        merged = _validate_section(Settings, {**_asdict_shallow(self), **given}, prefix="")
        return merged

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _asdict_shallow(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


def _type_ok(value: Any, annotation: str) -> tuple[bool, Any]:
    if annotation == "bool":
        return isinstance(value, bool), value
    if annotation == "int":
        return isinstance(value, int) and not isinstance(value, bool), value
    if annotation == "float":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return ok, float(value) if ok else value
    if annotation == "str":
        return isinstance(value, str), value
    if annotation == "dict[str, str]":
        ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        return ok, dict(value) if ok else value
    if annotation == "list[str]":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return ok, list(value) if ok else value
    raise AssertionError(annotation)


_TYPE_WORDS = {"bool": "true/false", "int": "bilangan bulat", "float": "angka",
               "str": "teks", "list[str]": "daftar teks",
               "dict[str, str]": "berupa bagian berisi teks (bidang = \"judul kolom\")"}


def _validate_section(cls: type, data: dict[str, Any], prefix: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if key not in known:
            raise SettingsError(f"Pengaturan '{name}' tidak dikenal. Periksa ejaannya "
                                "(lihat 'tagihlite config show').")
        annotation = str(known[key].type)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            kwargs[key] = value
            continue
        if annotation == "list[Level]":
            from tagihlite.core.level_settings import parse_levels

            kwargs[key] = parse_levels(value, name)
            continue
        sub = {"WhatsAppWebSettings": WhatsAppWebSettings, "CloudSettings": CloudSettings,
               "WebhookSettings": WebhookSettings, "AuthSettings": AuthSettings}.get(annotation)
        if sub is not None:
            if not isinstance(value, dict):
                raise SettingsError(f"Pengaturan '{name}' harus berupa bagian [{name}].")
            kwargs[key] = _validate_section(sub, value, prefix=f"{name}.")
            continue
        ok, converted = _type_ok(value, annotation)
        if not ok:
            raise SettingsError(f"Pengaturan '{name}' harus {_TYPE_WORDS[annotation]}, "
                                f"bukan {value!r}.")
        kwargs[key] = converted
    obj = cls(**kwargs)
    _check_values(obj, prefix)
    return obj


def _check_values(obj: Any, prefix: str) -> None:
    def bad(key: str, why: str) -> SettingsError:
        return SettingsError(f"Pengaturan '{prefix}{key}' {why}.")

    if isinstance(obj, Settings):
        if obj.channel not in CHANNELS:
            raise bad("channel", f"harus salah satu dari: {', '.join(CHANNELS)}")
        if obj.rupiah_style not in RUPIAH_STYLES:
            raise bad("rupiah_style", f"harus salah satu dari: {', '.join(RUPIAH_STYLES)}")
        if obj.min_interval_seconds < 0:
            raise bad("min_interval_seconds", "tidak boleh negatif")
        if obj.daily_cap < 0:
            raise bad("daily_cap", "tidak boleh negatif")
        numbers = tuple(lv.number for lv in obj.levels)
        if obj.reminder_level != -1 and obj.reminder_level not in numbers:
            raise bad("reminder_level", "harus -1 (otomatis menurut hari terlambat) atau "
                      f"salah satu tingkat di [[levels]]: {', '.join(map(str, numbers))}")
        from tagihlite.errors import InputError

        try:
            obj.send_schedule  # noqa: B018 - parsing is the check
        except InputError as exc:
            raise SettingsError(str(exc)) from None
        if obj.journal_url and not obj.journal_url.startswith(("postgresql://",
                                                               "postgres://")):
            raise bad("journal_url", "harus diawali 'postgresql://' (atau kosong)")
        if obj.journal_url:
            from urllib.parse import urlsplit

            if urlsplit(obj.journal_url).password:
                raise bad("journal_url", "tidak boleh memuat kata sandi: simpan di keyring "
                                         "('tagihlite secrets set db_password') atau "
                                         "TAGIHLITE_DB_PASSWORD")
        if obj.claim_lease_seconds <= 0:
            raise bad("claim_lease_seconds", "harus lebih dari 0")
        from tagihlite.core.columns import INPUT_COLUMNS

        for key in obj.columns:
            if key not in INPUT_COLUMNS:
                raise bad(f"columns.{key}", "tidak dikenal; yang bisa diatur: "
                          f"{', '.join(INPUT_COLUMNS)}")
        from tagihlite.core.keyparts import canonical_period

        if obj.period and canonical_period(obj.period, what="period") != obj.period:
            raise bad("period", "harus ditulis YYYY-MM, mis. 2026-12")
        if not 0 < obj.max_amount < 2 ** 62:
            raise bad("max_amount", "harus lebih dari 0 (dan masuk akal)")
    elif isinstance(obj, WhatsAppWebSettings):
        if obj.wait_seconds < 4:  # pywhatkit itself sleeps 4 s before typing
            raise bad("wait_seconds", "minimal 4")
        if obj.close_seconds < 0:
            raise bad("close_seconds", "tidak boleh negatif")
    elif isinstance(obj, CloudSettings):
        if obj.messages_per_second <= 0:
            raise bad("messages_per_second", "harus lebih dari 0")
        if obj.concurrency < 1:
            raise bad("concurrency", "minimal 1")
        if obj.max_retries < 0:
            raise bad("max_retries", "tidak boleh negatif")
    elif isinstance(obj, WebhookSettings):
        if not 0 < obj.port < 65536:
            raise bad("port", "harus antara 1 dan 65535")
        if obj.read_timeout_seconds <= 0:
            raise bad("read_timeout_seconds", "harus lebih dari 0")
        if obj.max_connections < 1:
            raise bad("max_connections", "minimal 1")
    elif isinstance(obj, AuthSettings):
        if obj.max_failed_logins < 1:
            raise bad("max_failed_logins", "minimal 1")
        if obj.session_hours <= 0 or obj.lockout_minutes < 0:
            raise bad("session_hours", "harus lebih dari 0")


def load(path: Path | None = None) -> Settings:
    """Read the settings file (absent file: defaults). Bad content raises SettingsError."""
    path = path or settings_file()
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"Berkas pengaturan '{path}' tidak dapat dibaca: {exc}.") from None
    return _validate_section(Settings, data, prefix="")


def dumps(settings: Settings) -> str:
    import tomli_w

    data = settings.as_dict()
    # TOML has no null: an open-ended level window is written without to_day.
    data["levels"] = [{k: v for k, v in lv.items() if v is not None} for lv in data["levels"]]
    return tomli_w.dumps(data)
