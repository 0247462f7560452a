"""The outbox channel (default): messages to a folder, for a person to send.

Each message is appended to ``outbox.jsonl`` (one JSON object a line, fsynced), and
``outbox.html`` is regenerated from it: a page listing every message with a wa.me
click-to-chat link, usable by a clerk as is. Nothing leaves the computer, so the honest
state is ``queued`` (sheet: MENUNGGU), never "sent".
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
from pathlib import Path
from typing import Any, ClassVar

from tagihlite.channels.base import Outcome, Reminder
from tagihlite.channels.link import wa_me_url
from tagihlite.core.vocab import JournalState
from tagihlite.errors import ChannelStop
from tagihlite.settings import Settings

JSONL = "outbox.jsonl"
PAGE = "outbox.html"


class OutboxChannel:
    name: ClassVar[str] = "outbox"
    concurrency = 1
    rate_per_second = None

    def __init__(self, settings: Settings, *, outbox_dir: str | Path | None = None,
                 **_: Any) -> None:
        self.folder = Path(outbox_dir) if outbox_dir else settings.outbox_path
        self._fh: Any = None
        self.written = 0

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.folder / JSONL, "a", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise ChannelStop(f"Folder outbox '{self.folder}' tidak dapat ditulis "
                              f"({exc.strerror}). Pilih folder lain dengan --outbox.") from None

    def send(self, reminder: Reminder) -> Outcome:
        record = {
            "key": reminder.key,
            "row": reminder.row,
            "name": reminder.name,
            "to": reminder.phone,
            "amount": reminder.amount,
            "text": reminder.message,
            "link": wa_me_url(reminder.phone, reminder.message),
            "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
        self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.written += 1
        return Outcome(JournalState.QUEUED,
                       note=f"Pesan ada di outbox ({self.folder / PAGE}); kirim lewat tautannya.")

    @property
    def summary_hint(self) -> str:
        """What the clerk does next (the command line prints it after a run)."""
        return (f"Buka {self.folder / PAGE} di browser dan klik 'Buka WhatsApp' untuk "
                "mengirim setiap pesan.")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if (self.folder / JSONL).exists():
            write_page(self.folder)


def read_outbox(folder: Path) -> list[dict[str, Any]]:
    records = []
    path = folder / JSONL
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut short by a crash: the journal still knows the key
    return records


def write_page(folder: Path) -> Path:
    """Regenerate outbox.html atomically from outbox.jsonl."""
    records = read_outbox(folder)
    rows = []
    for i, r in enumerate(records, 1):
        rows.append(
            "<tr><td>{i}</td><td>{name}</td><td>{to}</td><td><pre>{text}</pre></td>"
            '<td><a href="{link}" target="_blank" rel="noopener">Buka WhatsApp</a></td></tr>'
            .format(i=i, name=html.escape(str(r.get("name", ""))),
                    to=html.escape(str(r.get("to", ""))),
                    text=html.escape(str(r.get("text", ""))),
                    link=html.escape(str(r.get("link", "")), quote=True)))
    page = f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Outbox TagihLite</title>
<style>body{{font-family:sans-serif;margin:1.5em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #bbb;padding:.4em;vertical-align:top}}
pre{{white-space:pre-wrap;margin:0;max-width:40em}}</style></head><body>
<h1>Outbox TagihLite</h1>
<p>{len(records)} pesan menunggu dikirim. Klik <b>Buka WhatsApp</b>, periksa pesannya,
lalu tekan kirim di WhatsApp.</p>
<table><tr><th>No</th><th>Nama</th><th>Nomor</th><th>Pesan</th><th>Tautan</th></tr>
{chr(10).join(rows)}
</table></body></html>
"""
    target = folder / PAGE
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    return target
