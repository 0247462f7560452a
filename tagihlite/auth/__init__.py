"""Who may do what: staff logins, sessions, roles, the audit log, opt-outs and secrets.

Kept empty of imports so that asking for one piece (say :mod:`tagihlite.auth.secrets`) does
not load argon2 or the users store. Start at :mod:`tagihlite.auth.identity`.
"""
