"""Which journal this PC uses: the embedded SQLite file (default) or the team PostgreSQL
server (``journal_url`` / ``TAGIHLITE_JOURNAL_URL``). Every shell opens it through here."""

from __future__ import annotations

from tagihlite.journal.sqlite import Journal
from tagihlite.settings import Settings


def open_journal(settings: Settings) -> Journal:
    url = settings.team_url
    if not url:
        return Journal(settings.journal_file)
    from tagihlite.journal.postgres import PostgresJournal

    return PostgresJournal(url, lease_seconds=settings.claim_lease_seconds)


def is_team(settings: Settings) -> bool:
    return bool(settings.team_url)
