-- Dashboard users added with `seatmail user add` (users in the config file are not stored).
-- Only an argon2 PHC hash of the password is kept.
CREATE TABLE users (
    name          TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('operator', 'viewer')),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
