-- Ops day to day (issue 20): sessions kept in the store, the operator's decisions with their
-- notes, notices and digests to the ops mailbox, and what people read (the mail's own date, the
-- customer's time zone).
-- PostgreSQL flavour of ../sqlite/0010_ops_day_to_day.sql (same columns and meanings).

-- Dashboard sessions, shared by every daemon on this store and kept across restarts. Only a
-- SHA-256 hash of the session id is stored: the id itself lives in the browser's cookie alone.
-- The role is not kept here: it is read from the user at every request, so a demotion or a
-- removal takes effect at once.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_name  TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    flash_ok   BIGINT,
    flash_text TEXT
);
CREATE INDEX sessions_user ON sessions(user_name);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- Every decision a person took on a queued mail: who, what, when, with which note.
CREATE TABLE ops_decisions (
    id         BIGSERIAL PRIMARY KEY,
    message    BIGINT NOT NULL REFERENCES messages(id),
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('approved', 'rejected', 'corrected', 'dismissed', 'seen')),
    note       TEXT,
    state      TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ops_decisions_message ON ops_decisions(message);

-- The operator's note beside the actor in the ledger.
ALTER TABLE seat_changes ADD COLUMN note TEXT;

-- The mail's own Date header (UTC), when it has a valid one: "waiting" counts from it.
ALTER TABLE messages ADD COLUMN mail_date TEXT;

-- The customer's time zone (IANA name) for the times in its answers; NULL: answers.time_zone.
ALTER TABLE customers ADD COLUMN time_zone TEXT;

-- Things ops are told about (src/notify/): written in the transaction that put the item in the
-- queue (or killed the answer), then turned into a notice, or held back by the cap and listed in
-- the window's summary. `thread` is the item a notice belongs to (its mails thread together).
CREATE TABLE ops_events (
    id           BIGSERIAL PRIMARY KEY,
    kind         TEXT NOT NULL,
    message      BIGINT REFERENCES messages(id),
    outbox       BIGINT REFERENCES outbox(id),
    thread       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'noticed', 'held_back', 'summarized', 'dropped')),
    window_start TEXT,
    mail         BIGINT REFERENCES outbox(id),
    mail_id      TEXT
);
CREATE INDEX ops_events_state ON ops_events(state, id);
CREATE INDEX ops_events_thread ON ops_events(thread);

-- The notices' cap: how many went out in the current window. One row, locked by the notifier.
CREATE TABLE ops_notifier (
    id           BIGINT PRIMARY KEY CHECK (id = 1),
    window_start TEXT NOT NULL,
    noticed      BIGINT NOT NULL
);
INSERT INTO ops_notifier (id, window_start, noticed) VALUES (1, '', 0);

-- One digest per local day (ops.time_zone): the key makes a second one impossible.
CREATE TABLE ops_digests (
    day        TEXT PRIMARY KEY,
    mail       BIGINT REFERENCES outbox(id),
    created_at TEXT NOT NULL
);
