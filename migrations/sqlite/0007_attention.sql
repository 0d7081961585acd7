-- Why a rejected mail waits in the ops queue until a person has seen it, decided by the decide
-- stage and stored as a word (until now the queue matched the start of the reason text, which
-- missed some of these mails): unknown_sender, unauthenticated (perhaps a forgery), flagged (a
-- username of another customer's tenant or of none we know).
ALTER TABLE messages ADD COLUMN attention TEXT
    CHECK (attention IN ('unknown_sender', 'unauthenticated', 'flagged'));

-- Mails recorded before: what their reason said.
UPDATE messages SET attention = CASE
    WHEN reason LIKE 'unknown sender%' THEN 'unknown_sender'
    WHEN reason LIKE 'sender not authenticated%' THEN 'unauthenticated'
    WHEN reason LIKE 'confirmation code from an unauthenticated sender%' THEN 'unauthenticated'
    WHEN reason LIKE 'FLAGGED%' THEN 'flagged'
END;
