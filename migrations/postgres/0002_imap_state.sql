-- Where the IMAP intake stands in each folder: mail with a UID above last_uid has not been
-- settled yet. A UIDVALIDITY different from the stored one stops automatic processing of the
-- folder (`stalled` says why) until an operator accepts the new one.
CREATE TABLE imap_state (
    mailbox     TEXT PRIMARY KEY,
    uidvalidity BIGINT NOT NULL,
    last_uid    BIGINT NOT NULL,
    stalled     TEXT,
    updated_at  TEXT NOT NULL
);
