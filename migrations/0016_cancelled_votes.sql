-- A vote the chair cancels (unieważnia) while it is prepared or open, for
-- instance when the voting devices fail mid-vote: it keeps the ballots
-- already cast (nothing acknowledged is thrown away) but has no result,
-- and the session can go on to vote again, by roll call if need be.
ALTER TABLE votes DROP CONSTRAINT votes_state_check;
ALTER TABLE votes ADD CONSTRAINT votes_state_check CHECK (state IN ('draft', 'open', 'closed', 'cancelled'));
ALTER TABLE votes ADD COLUMN cancel_reason text NOT NULL DEFAULT '';
