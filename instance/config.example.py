# Copy to instance/config.py and adjust. Environment variables GONGWEN_<NAME> override these.

# A long random string; when unset, one is generated into instance/secret_key.
# SECRET_KEY = "..."

# The audit chain's key (at least 32 characters), the same on every host; when unset,
# `flask --app wsgi init-db` generates instance/audit_key. Copy that file to every other host.
# AUDIT_KEY = "..."
# Where `flask --app wsgi audit anchor` appends the chain's head (default: instance/audit-anchors.jsonl).
# AUDIT_ANCHOR_FILE = "/srv/audit-anchors/gongwen.jsonl"

# SQLite in this folder is the default. For several hosts, point every one at PostgreSQL:
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://gongwen:secret@db.example.org/gongwen"

# After this many failed logins, delay further attempts (1, 2, 4 … minutes, up to the second
# value); see docs/security.md. The security officer's stored policy wins over these.
# LOGIN_MAX_FAILURES = 5
# LOGIN_LOCK_MINUTES = 15
# LOGIN_IDLE_MINUTES = 30   # log out a session idle this long (the security officer's policy wins)

# Behind nginx (or any one proxy that sets X-Forwarded-For): trust that one proxy for the client's
# address, which the login throttle counts failures by.
# PROXY_FIX_X_FOR = 1
