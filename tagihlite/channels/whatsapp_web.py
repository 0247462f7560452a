"""WhatsApp Web through pywhatkit 5.4 (``--via whatsapp-web``), made safe to use.

What pywhatkit does, and what we do about it:

* ``import pywhatkit`` probes ``https://google.com`` and raises ``InternetException`` offline;
  it imports pyautogui, which needs a display. Both are checked in :meth:`open`, before the
  send loop marks anything, each with one Indonesian sentence; pywhatkit is imported only
  here (never by ``import tagihlite``).
* It sets ``pyautogui.FAILSAFE = False`` for the whole process: we set it back to True. Mouse
  in a screen corner while a row is being typed: pyautogui refuses the click / Enter, so the
  row certainly did not go out and :class:`ChannelStop` ends the run. Mouse in a corner after
  a row went out: that row counts, :attr:`stop_requested` turns True and the next
  :meth:`send` raises ChannelStop before opening anything.
* ``sendwhatmsg_instantly`` opens ``web.whatsapp.com/send?phone=..&text=..`` in the default
  browser, waits, clicks, presses Enter and returns nothing: it cannot know whether WhatsApp
  really sent it (its best-known bug is "typed but not sent"). The outcome is SUBMITTED,
  "dikirim lewat WhatsApp Web, belum terkonfirmasi sampai" (sheet: DIKIRIM, not TERKIRIM).
* It appends every phone number and message to ``PyWhatKit_DB.txt`` in the current folder.
  Its log functions are replaced by no-ops when the channel opens; as a second line of
  defence, any ``PyWhatKit_DB.txt`` that a send creates (or grows) in the current folder is
  removed (or cut back) right after that send.
"""

from __future__ import annotations

import contextlib
import os
import sys
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from tagihlite.channels.base import Outcome, Reminder
from tagihlite.core.vocab import JournalState
from tagihlite.errors import ChannelStop

if TYPE_CHECKING:
    from tagihlite.settings import Settings

PYWHATKIT_LOG = "PyWhatKit_DB.txt"
MIN_WAIT_SECONDS = 4  # pywhatkit sleeps 4 s after opening the tab, then wait_time - 4
NOTE_SUBMITTED = "Dikirim lewat WhatsApp Web, belum terkonfirmasi sampai."
STOPPED_AFTER_ROW = ("Pengiriman dihentikan oleh petugas (mouse di pojok layar). Baris yang "
                     "belum dikirim tetap SIAP KIRIM.")
STOPPED_IN_ROW = ("Pengiriman dihentikan oleh petugas (mouse di pojok layar) sebelum Enter "
                  "ditekan: pesan baris ini belum dikirim. Tutup tab WhatsApp tanpa menekan "
                  "Enter.")
NO_DISPLAY = ("WhatsApp Web butuh layar desktop untuk membuka browser dan menekan Enter, dan "
              "sesi ini tidak punya layar. Jalankan dari komputer dengan desktop, atau pilih "
              "saluran 'cloud' atau 'link'. Belum ada pesan yang dikirim.")
NO_BROWSER = ("Browser untuk membuka WhatsApp Web tidak ditemukan. Atur browser bawaan "
              "(mis. Chrome/Edge), atau pilih saluran 'link'. Belum ada pesan yang dikirim.")
NO_INTERNET = ("Tidak ada koneksi internet, jadi WhatsApp Web tidak dapat dibuka. Periksa "
               "koneksi lalu kirim ulang. Belum ada pesan yang dikirim.")
NO_PYWHATKIT = ("Pustaka pywhatkit untuk WhatsApp Web belum terpasang atau rusak. Pasang "
                "ulang TagihLite, atau pilih saluran 'cloud' atau 'link'. Belum ada pesan "
                "yang dikirim.")


def _needs_x_display() -> bool:
    return sys.platform.startswith(("linux", "freebsd", "openbsd"))


def check_display() -> None:
    """Raise ChannelStop when pyautogui could not reach a screen."""
    if not _needs_x_display():
        return  # Windows and macOS always have one in a user session
    if not os.environ.get("DISPLAY"):
        raise ChannelStop(NO_DISPLAY)
    try:
        from Xlib.display import Display

        Display().close()
    except Exception:  # no X server behind $DISPLAY (or no Xlib): same answer for the clerk
        raise ChannelStop(NO_DISPLAY) from None


def check_browser() -> None:
    try:
        webbrowser.get()
    except webbrowser.Error:
        raise ChannelStop(NO_BROWSER) from None


def load_pywhatkit() -> tuple[Any, Any, Any]:
    """Import pywhatkit (its import probes the internet), re-probing if already imported.

    Returns the ``pywhatkit`` module, ``pyautogui`` and ``pywhatkit.core``."""
    already = "pywhatkit" in sys.modules
    try:
        import pyautogui
        import pywhatkit
        from pywhatkit.core import core
        from pywhatkit.core.exceptions import InternetException
    except ImportError:
        raise ChannelStop(NO_PYWHATKIT) from None
    except Exception as exc:  # its import-time internet probe, or a display problem
        if type(exc).__name__ == "InternetException":
            raise ChannelStop(NO_INTERNET) from None
        raise ChannelStop(NO_DISPLAY) from None
    if already:  # the import-time probe ran long ago: probe again for this run
        try:
            core.check_connection()
        except InternetException:
            raise ChannelStop(NO_INTERNET) from None
    return pywhatkit, pyautogui, core


def silence_pywhatkit_log() -> None:
    """pywhatkit's whats.py calls ``log.log_message`` / ``log.log_image`` through the module:
    replacing them keeps phone numbers and messages out of PyWhatKit_DB.txt."""
    from pywhatkit.core import log

    def no_log(*args: object, **kwargs: object) -> None:
        return None

    log.log_message = no_log
    log.log_image = no_log


@contextlib.contextmanager
def scrub_pywhatkit_log(folder: Path | None = None) -> Any:
    """Second line of defence: undo whatever pywhatkit appended to PyWhatKit_DB.txt here."""
    path = (folder or Path.cwd()) / PYWHATKIT_LOG
    try:
        size_before: int | None = path.stat().st_size
    except OSError:
        size_before = None
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            if size_before is None:
                path.unlink(missing_ok=True)
            elif path.stat().st_size > size_before:
                with path.open("r+b") as fh:
                    fh.truncate(size_before)


class WhatsAppWebChannel:
    name: ClassVar[str] = "whatsapp-web"
    concurrency = 1  # one browser, one keyboard
    rate_per_second: float | None = None  # pacing: settings.min_interval_seconds

    def __init__(self, settings: Settings, **_: Any) -> None:
        cfg = settings.whatsapp_web
        self.wait_seconds = max(MIN_WAIT_SECONDS, int(cfg.wait_seconds))
        self.close_seconds = max(0, int(cfg.close_seconds))
        self.close_tab = cfg.close_tab
        self.stop_requested = False
        self._kit: Any = None
        self._pg: Any = None
        self._core: Any = None

    def open(self) -> None:
        check_display()
        check_browser()
        self._kit, self._pg, self._core = load_pywhatkit()
        self._pg.FAILSAFE = True  # pywhatkit switched it off for the whole process
        silence_pywhatkit_log()
        self.stop_requested = False

    @property
    def stop_requested(self) -> bool:
        """The send loop asks this before committing the next row: a mouse already in a
        corner stops the run there, and that row stays SIAP KIRIM (never tried)."""
        return self._stop or (self._kit is not None and self._mouse_in_corner())

    @stop_requested.setter
    def stop_requested(self, value: bool) -> None:
        self._stop = value

    def _mouse_in_corner(self) -> bool:
        try:
            return tuple(self._pg.position()) in self._pg.FAILSAFE_POINTS
        except Exception:  # no pointer information: do not invent a stop
            return False

    def send(self, reminder: Reminder) -> Outcome:
        if self._kit is None:
            raise RuntimeError("WhatsAppWebChannel.send() before open()")
        if self.stop_requested or self._mouse_in_corner():
            self.stop_requested = True
            raise ChannelStop(STOPPED_AFTER_ROW)
        with scrub_pywhatkit_log():
            try:
                self._kit.sendwhatmsg_instantly(reminder.phone, reminder.message,
                                                wait_time=self.wait_seconds, tab_close=False)
            except self._pg.FailSafeException:
                # pyautogui checks the corner *before* each click / key press: Enter was
                # never pressed, so this message did not go out.
                self.stop_requested = True
                raise ChannelStop(STOPPED_IN_ROW) from None
        # Enter was pressed: from here on the row counts as submitted whatever happens.
        if self.close_tab:
            try:
                self._core.close_tab(wait_time=self.close_seconds)
            except self._pg.FailSafeException:
                self.stop_requested = True
            except Exception:  # a tab left open is harmless; the row was submitted
                pass
        if self._mouse_in_corner():
            self.stop_requested = True
        return Outcome(JournalState.SUBMITTED, note=NOTE_SUBMITTED)

    def close(self) -> None:
        self._kit = None
