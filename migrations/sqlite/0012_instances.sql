-- Each running seatmail process (daemon, `run --once`, a CLI command that sends) is an
-- instance: a row it beats every second. What it leases (answers, vendor jobs, the intake of a
-- folder) carries its id, so that when it dies (its heartbeat stops, or on the same host its
-- process is gone) another instance takes that work back at once instead of waiting out the
-- lease. `proc_start`: the process's start time on its host, so a reused pid is not mistaken
-- for the dead instance.
CREATE TABLE instances (
    id          TEXT PRIMARY KEY,
    host        TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    proc_start  TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    beat_at     TEXT NOT NULL
);

ALTER TABLE outbox ADD COLUMN leased_by TEXT;
ALTER TABLE vendor_jobs ADD COLUMN leased_by TEXT;
CREATE INDEX outbox_leased_by ON outbox(leased_by);
CREATE INDEX vendor_jobs_leased_by ON vendor_jobs(leased_by);
CREATE INDEX leases_holder ON leases(holder);
