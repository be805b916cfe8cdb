-- An event only live viewers need (a vote's progress, attendance, a
-- consultation's response count) says so, so that the search indexer, a
-- handler of the same relay, is not woken by it. The module that writes an
-- event decides; nobody else keeps a list of other modules' event names.
ALTER TABLE outbox ADD COLUMN live_only boolean NOT NULL DEFAULT false;
