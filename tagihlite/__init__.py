"""TagihLite: unpaid-bill reminders over WhatsApp from the billing clerk's workbook.

Kept deliberately empty of imports: every ribbon click starts a fresh Python, so
``import tagihlite`` must stay cheap (no pandas, xlwings, httpx or pywhatkit here).
"""

__version__ = "0.1.0"
