-- Re-votes by the vote they repeat: every vote page, list, export and the
-- search sync ask whether a closed re-vote replaced a vote's result.
CREATE INDEX votes_repeats_idx ON votes (repeats_id) WHERE repeats_id IS NOT NULL;
