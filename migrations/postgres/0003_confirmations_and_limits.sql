-- One-time codes by which a customer's admin confirms a held change ("Apply then Approve").
-- Only a hash of the code is kept: the code itself exists in the mail we sent.
CREATE TABLE confirmations (
    id           BIGSERIAL PRIMARY KEY,
    message      BIGINT NOT NULL REFERENCES messages(id),
    customer_id  TEXT NOT NULL,
    code_hash    TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_at      TEXT,
    used_by      BIGINT REFERENCES messages(id)
);
CREATE INDEX confirmations_message ON confirmations(message);
-- The loop and rate guards count recent rows.
CREATE INDEX outbox_created ON outbox(created_at);
CREATE INDEX seat_changes_created ON seat_changes(created_at);
