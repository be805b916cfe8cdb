-- Remarks in a consultation open to anyone are counted per browser (its
-- random token's SHA-256, as for responses), so that one browser cannot
-- flood the office with remarks it must answer in the report.
ALTER TABLE consultation_remarks ADD COLUMN browser_hash bytea;
CREATE INDEX consultation_remarks_author_idx ON consultation_remarks (consultation_id, user_id, browser_hash);
