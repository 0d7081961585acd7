-- The IMAP intake of a folder while it fails: consecutive failed sessions, the last error, since
-- when, and when it tries again. The row goes when a session is ready again. `seatmail imap
-- status` and the dashboard read it (another process than the daemon's).
CREATE TABLE imap_failing (
    mailbox    TEXT PRIMARY KEY,
    failures   INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    since      TEXT NOT NULL,
    retry_at   TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
