"""Entry points the TagihLite ribbon calls: ``on_ribbon(control_id)``.

The VBA shim runs ``import tagihlite.excel as tx; tx.on_ribbon('<id>')`` in a fresh Python
for every click, so this module imports nothing heavy at import time (no xlwings, pandas,
httpx or pywhatkit): each action imports what it needs.

Every action works on ``xw.Book.caller()``. A problem the clerk can fix (``TagihError``)
becomes an Indonesian alert; anything else is logged to the app folder and the alert says
where. No traceback ever reaches the clerk.
"""

from __future__ import annotations

from collections.abc import Callable

from tagihlite.errors import TagihError
from tagihlite.excel.click import Click

# ribbon control id -> action name in tagihlite.excel.actions (contract: addin/ribbon_ids.py)
ACTIONS: dict[str, str] = {
    "tl_login": "login",
    "tl_logout": "logout",
    "tl_import": "import_data",
    "tl_import_payments": "import_payments",
    "tl_mark": "mark",
    "tl_check": "check",
    "tl_columns": "set_columns",
    "tl_preview": "preview",
    "tl_approve_template": "approve_template",
    "tl_send_test": "send_test",
    "tl_send_selected": "send_selected",
    "tl_send_all": "send_all",
    "tl_report": "report",
    "tl_help": "help_sheet",
    "tl_doctor": "doctor",
}


def on_ribbon(control_id: str) -> None:
    """Run the action of one ribbon button; never raises into VBA."""
    try:
        import xlwings as xw

        book = xw.Book.caller()
    except Exception:  # not called from Excel (or Excel went away): nobody to tell
        from tagihlite.logs import log_exception

        log_exception("excel")
        return
    click = Click(book)
    name = ACTIONS.get(control_id)
    if name is None:
        _safe_alert(click, f"Tombol '{control_id}' tidak dikenal oleh TagihLite versi ini. "
                           "Perbarui add-in TagihLite atau hubungi tim TagihLite.")
        return
    run(click, _action(name))


def _action(name: str) -> Callable[[Click], None]:
    from tagihlite.excel import actions as excel_actions

    return getattr(excel_actions, name)


def run(click: Click, action: Callable[[Click], None]) -> None:
    """Errors become alerts: the clerk's message, or where the technical log is."""
    try:
        action(click)
    except TagihError as exc:
        _safe_alert(click, str(exc), critical=True)
    except Exception:
        from tagihlite.logs import log_exception

        where = log_exception("excel")
        _safe_alert(click, "Terjadi kesalahan tak terduga. Detail teknis dicatat di "
                           f"'{where}'. Kirim berkas itu ke tim TagihLite.", critical=True)


def _safe_alert(click: Click, text: str, *, critical: bool = False) -> None:
    try:
        click.alert(text, critical=critical)
    except Exception:  # Excel busy or gone: the log is all we can do
        from tagihlite.logs import log_exception

        log_exception("excel alert")
