-- Rejected mails a person should see (unknown or unauthenticated senders, flagged requests)
-- stay in the ops queue until someone has looked at them.
ALTER TABLE messages ADD COLUMN reviewed_by TEXT;
ALTER TABLE messages ADD COLUMN reviewed_at TEXT;
