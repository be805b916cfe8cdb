-- Re-votes (reasumpcja) replace the result of the vote they repeat. A
-- resolution the first vote adopted is either confirmed (it keeps its
-- number and moves to the re-vote) or, when the re-vote rejects it, not
-- adopted after all: it keeps its number on record, marked with the
-- re-vote, and its BIP publication is withdrawn saying why.
ALTER TABLE resolutions ADD COLUMN voided_by_vote_id bigint REFERENCES votes (id);
