-- A person's contacts for notices, one row per kind: a phone for SMS and,
-- for people whose account has no e-mail (residents signed in through
-- login.gov.pl, which gives none), an e-mail address. Each is confirmed
-- with a code before anything is sent to it; until a new one is confirmed,
-- notices keep going to the one confirmed before (confirmed).
ALTER TABLE contacts RENAME COLUMN phone TO address;
ALTER TABLE contacts ADD COLUMN kind text NOT NULL DEFAULT 'phone' CHECK (kind IN ('phone', 'email'));
ALTER TABLE contacts ALTER COLUMN kind DROP DEFAULT;
ALTER TABLE contacts DROP CONSTRAINT contacts_pkey;
ALTER TABLE contacts ADD PRIMARY KEY (user_id, kind);
ALTER TABLE contacts ADD COLUMN confirmed text;
UPDATE contacts SET confirmed = address WHERE verified_at IS NOT NULL;
-- Codes sent since codes_day_since, to cap a day's codes to one address.
ALTER TABLE contacts ADD COLUMN codes_today int NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN codes_day_since timestamptz NOT NULL DEFAULT now();
