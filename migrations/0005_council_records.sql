-- Votes recorded elsewhere (imported from published council data, or a
-- roll call written down by hand) keep their named list as recorded: every
-- councillor's entry, "did not vote" and "absent" included, instead of one
-- derived from attendance.
ALTER TABLE ballots DROP CONSTRAINT ballots_choice_check;
ALTER TABLE ballots ADD CONSTRAINT ballots_choice_check CHECK (choice IN ('for', 'against', 'abstain', 'not_voting', 'absent'));
ALTER TABLE votes ADD COLUMN recorded_list boolean NOT NULL DEFAULT false;
ALTER TABLE votes ADD COLUMN source_url text NOT NULL DEFAULT '';
ALTER TABLE council_bodies ADD COLUMN source text NOT NULL DEFAULT '';
