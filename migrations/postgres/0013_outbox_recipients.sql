-- Every address an answer goes to, one row each (lower case), for the per-correspondent answer
-- cap: counting a sender's answers of the last day is then an index range, not a LIKE over the
-- whole day's outbox for every mail (which made a backlog of 10,000 quadratic).
CREATE TABLE outbox_recipients (
    outbox      BIGINT NOT NULL REFERENCES outbox(id),
    address     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (outbox, address)
);
CREATE INDEX outbox_recipients_address ON outbox_recipients(address, created_at);

INSERT INTO outbox_recipients (outbox, address, created_at)
SELECT DISTINCT o.id, lower(a), o.created_at FROM outbox o, unnest(string_to_array(o.recipients, ' ')) AS a
WHERE a <> ''
ON CONFLICT DO NOTHING;
