-- A person's contacts for notices, one row per kind: a phone for SMS and,
-- for people whose account has no e-mail (residents signed in through
-- login.gov.pl, which gives none), an e-mail address. Each is confirmed
-- with a code before anything is sent to it.
ALTER TABLE contacts RENAME COLUMN phone TO address;
ALTER TABLE contacts ADD COLUMN kind text NOT NULL DEFAULT 'phone' CHECK (kind IN ('phone', 'email'));
ALTER TABLE contacts ALTER COLUMN kind DROP DEFAULT;
ALTER TABLE contacts DROP CONSTRAINT contacts_pkey;
ALTER TABLE contacts ADD PRIMARY KEY (user_id, kind);
