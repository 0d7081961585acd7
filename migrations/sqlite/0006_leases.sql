-- Work only one instance may do at a time (the IMAP intake of a folder): held by `holder`
-- until `expires_at`, renewed while alive, taken over by another instance once expired.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
