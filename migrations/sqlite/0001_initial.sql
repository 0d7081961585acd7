-- seatmail schema, SQLite flavour. Keep in step with ../postgres/0001_initial.sql: the store code
-- is shared, so columns, names and meanings are identical; only types differ.
-- Times are UTC text 'YYYY-MM-DDTHH:MM:SS.mmmZ' (sortable as text), dates 'YYYY-MM-DD',
-- quantities integers.

CREATE TABLE customers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    language    TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE tenant_domains (
    domain      TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id)
);

CREATE TABLE subscriptions (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    product     TEXT NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity >= 0),
    assigned    INTEGER NOT NULL CHECK (assigned >= 0),
    billing     TEXT NOT NULL CHECK (billing IN ('flexible', 'annual')),
    term_start  TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'expired')),
    updated_at  TEXT NOT NULL
);
CREATE INDEX subscriptions_customer ON subscriptions(customer_id);

CREATE TABLE contacts (
    customer_id TEXT NOT NULL REFERENCES customers(id),
    email       TEXT NOT NULL,
    name        TEXT,
    role        TEXT NOT NULL CHECK (role IN ('global_admin', 'billing_admin', 'user_admin', 'service_admin', 'password_admin')),
    -- space-separated subscription ids this contact may change; empty = all
    scope       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (customer_id, email)
);
CREATE INDEX contacts_email ON contacts(email);

-- One row per distinct incoming mail; `key` makes a re-delivery the same row.
CREATE TABLE messages (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    key          TEXT NOT NULL UNIQUE,
    source       TEXT NOT NULL,
    source_id    TEXT NOT NULL,
    message_id   TEXT,
    sender       TEXT,
    subject      TEXT,
    customer_id  TEXT,
    language     TEXT,
    received_at  TEXT NOT NULL,
    processed_at TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('applied', 'rejected', 'awaiting_approval', 'needs_review', 'ignored')),
    reason       TEXT NOT NULL,
    parsed       TEXT NOT NULL,
    raw          BLOB NOT NULL,
    raw_truncated INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX messages_state ON messages(state, received_at);
CREATE INDEX messages_message_id ON messages(message_id);

-- What the mail asked, item by item, and what became of each.
CREATE TABLE request_items (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message         INTEGER NOT NULL REFERENCES messages(id),
    position        INTEGER NOT NULL,
    username        TEXT,
    product         TEXT,
    delta           INTEGER,
    target          INTEGER,
    subscription_id TEXT REFERENCES subscriptions(id),
    status          TEXT NOT NULL CHECK (status IN ('applied', 'rejected', 'pending', 'clarify')),
    rule            TEXT NOT NULL,
    old_quantity    INTEGER,
    new_quantity    INTEGER,
    detail          TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX request_items_message ON request_items(message);
CREATE INDEX request_items_pending ON request_items(status);

-- The audit ledger: every quantity change, with who, which mail and which rule.
CREATE TABLE seat_changes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
    message         INTEGER REFERENCES messages(id),
    item            INTEGER REFERENCES request_items(id),
    actor           TEXT NOT NULL,
    old_quantity    INTEGER NOT NULL,
    new_quantity    INTEGER NOT NULL,
    rule            TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX seat_changes_subscription ON seat_changes(subscription_id, created_at);

-- Held requests; decided by reseller ops.
CREATE TABLE approvals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    message     INTEGER NOT NULL UNIQUE REFERENCES messages(id),
    state       TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    created_at  TEXT NOT NULL,
    decided_by  TEXT,
    decided_at  TEXT,
    note        TEXT
);
CREATE INDEX approvals_state ON approvals(state, created_at);

-- Answers waiting for, or done with, delivery.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message         INTEGER REFERENCES messages(id),
    message_id      TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    recipients      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            BLOB NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
