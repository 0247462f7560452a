"""The ribbon's button ids: a contract between ``ribbon.xml`` and ``tagihlite.excel.on_ribbon``.

Kept as plain data (no XML parsing at import) so the Excel shell can import it cheaply; a test
asserts it equals the button ids in ``ribbon.xml``, in order.
"""

from __future__ import annotations

from typing import Final

RIBBON_IDS: Final[tuple[str, ...]] = (
    "tl_login",
    "tl_logout",
    "tl_import",
    "tl_import_payments",
    "tl_mark",
    "tl_check",
    "tl_columns",
    "tl_preview",
    "tl_approve_template",
    "tl_send_test",
    "tl_send_selected",
    "tl_send_all",
    "tl_report",
    "tl_help",
    "tl_doctor",
)
