"""Follow-up after the reminders: payments that stop them, and the dashboard of what they
achieved (shared by the command line and the Excel add-in)."""
