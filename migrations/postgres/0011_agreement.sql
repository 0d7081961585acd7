-- How often ops agree with seatmail's reading (issue 21): the state a queued mail was in when a
-- person decided on it, so that decisions on understood, held requests (`awaiting_approval`)
-- are told from those on mails that needed review. NULL: decided before this migration, when
-- it was not recorded; such decisions are left out of the figures rather than guessed.
-- `kind`: what the held items asked for when ops decided (increase, decrease, mixed), the
-- kinds of change `[policy.cautious]` names; NULL when nothing was held.
ALTER TABLE ops_decisions ADD COLUMN before_state TEXT;
ALTER TABLE ops_decisions ADD COLUMN kind TEXT;
CREATE INDEX ops_decisions_before_state ON ops_decisions(before_state, created_at);
