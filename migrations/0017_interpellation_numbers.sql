-- Interpellation numbers (INT/2026/3) were count(*) + 1 with no lock, so
-- filings at the same moment got the same number. Numbers are now given
-- under a lock per body and kind, and must be unique. Numbers given twice
-- before this migration keep the first filing's number; the later ones get
-- their id appended, so that each can still be told apart and found.
UPDATE interpellations i SET number = i.number || '-' || i.id
FROM (SELECT id, row_number() OVER (PARTITION BY body_id, number ORDER BY id) AS n
      FROM interpellations WHERE source_id IS NULL AND number <> '') d
WHERE d.id = i.id AND d.n > 1;
CREATE UNIQUE INDEX interpellations_number_key ON interpellations (body_id, number)
    WHERE source_id IS NULL AND number <> '';
