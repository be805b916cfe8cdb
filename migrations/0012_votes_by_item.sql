-- Votes by agenda item: the search sync asks, for every item, whether a
-- closed vote took it (an anti-join), and session pages list each item's
-- votes. Without this index a fresh import, before autovacuum has
-- analysed the tables, planned a nested loop over every vote per item.
CREATE INDEX votes_agenda_item_idx ON votes (agenda_item_id);
