-- Every address an answer goes to, one row each (lower case), for the per-correspondent answer
-- cap: counting a sender's answers of the last day is then an index range, not a LIKE over the
-- whole day's outbox for every mail (which made a backlog of 10,000 quadratic).
CREATE TABLE outbox_recipients (
    outbox      INTEGER NOT NULL REFERENCES outbox(id),
    address     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (outbox, address)
);
CREATE INDEX outbox_recipients_address ON outbox_recipients(address, created_at);

WITH RECURSIVE split(id, created_at, rest, address) AS (
    SELECT id, created_at, recipients || ' ', '' FROM outbox
    UNION ALL
    SELECT id, created_at, substr(rest, instr(rest, ' ') + 1), lower(substr(rest, 1, instr(rest, ' ') - 1))
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO outbox_recipients (outbox, address, created_at)
SELECT id, address, created_at FROM split WHERE address <> '';
