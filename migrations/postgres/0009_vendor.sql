-- Provisioning at the vendor ([vendor]): every applied change is pushed to Microsoft Partner
-- Center (or the reseller's own system) by a job written in the change's own transaction (the
-- outbox pattern), and the answer that reports it waits until the vendor has confirmed it.

-- The customer's Microsoft tenant (Partner Center's customer-tenant-id) and the subscription's
-- id at the vendor. Optional columns of the subscriptions CSV; one owner each.
ALTER TABLE customers ADD COLUMN tenant_id TEXT;
ALTER TABLE subscriptions ADD COLUMN vendor_id TEXT;
CREATE UNIQUE INDEX customers_tenant_id ON customers(tenant_id);
CREATE UNIQUE INDEX subscriptions_vendor_id ON subscriptions(vendor_id);

-- An answer written with a change that is still on its way to the vendor: moved to the outbox
-- once every job holding it is confirmed (`released`), or written again from the items as
-- they then stand when a job was refused or moved (`replaced`; `stale` marks that it must be).
CREATE TABLE held_answers (
    id          BIGSERIAL PRIMARY KEY,
    message     BIGINT NOT NULL REFERENCES messages(id),   -- the mail the answer replies to
    about       BIGINT NOT NULL REFERENCES messages(id),   -- the mail whose items it reports
    message_id  TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    recipients  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        BYTEA NOT NULL,
    note        TEXT,
    state       TEXT NOT NULL CHECK (state IN ('held', 'released', 'replaced')),
    stale       BIGINT NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    settled_at  TEXT
);
CREATE INDEX held_answers_about ON held_answers(about);

-- One job per applied quantity change: `idempotency_key` goes with every call (Partner
-- Center's MS-RequestId, the webhook's event key). A subscription's jobs are sent one after
-- the other, in id order; `accepted_at`: the vendor took the change without applying it yet.
-- `attempts` counts leases (a crashed attempt too; a settlement names the attempt it settles),
-- `failures` the vendor's answers that were not a settlement: the backoff and the limit.
CREATE TABLE vendor_jobs (
    id              BIGSERIAL PRIMARY KEY,
    message         BIGINT NOT NULL REFERENCES messages(id),
    item            BIGINT NOT NULL REFERENCES request_items(id),
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
    idempotency_key TEXT NOT NULL UNIQUE,
    old_quantity    BIGINT NOT NULL,
    new_quantity    BIGINT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'retrying', 'confirmed', 'refused', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    failures        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    accepted_at     TEXT,
    last_error      TEXT,
    rule            TEXT,
    vendor_reason   TEXT,
    held_answer     BIGINT REFERENCES held_answers(id),
    created_at      TEXT NOT NULL,
    settled_at      TEXT
);
CREATE INDEX vendor_jobs_due ON vendor_jobs(state, next_attempt_at);
CREATE INDEX vendor_jobs_subscription ON vendor_jobs(subscription_id, id);
CREATE INDEX vendor_jobs_message ON vendor_jobs(message);
CREATE INDEX vendor_jobs_held_answer ON vendor_jobs(held_answer);
