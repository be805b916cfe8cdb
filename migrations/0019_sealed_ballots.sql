-- Ballots enter sealed. When an edition opens its vote it gets a key pair
-- (HPKE: ML-KEM-768 with X25519, HKDF-SHA256, AES-256-GCM); the public key
-- is kept here, the private key is shown once to the officer and kept by
-- the commission, never by the database. A ballot is stored encrypted
-- under the public key, padded to one length for the whole edition, with
-- its receipt's hash inside; the transaction that records the voter writes
-- nothing else a reader could use. Ending the vote takes the private key,
-- opens every sealed ballot, writes them as plain ballots in a random order
-- in one transaction and deletes the sealed ones: what links a voter to a
-- ballot (the shared transaction in the table, its old row versions and
-- the WAL) links them only to a ciphertext nobody without the key opens.
ALTER TABLE pb_editions ADD COLUMN ballot_key bytea;
CREATE TABLE pb_sealed_ballots (
    edition_id bigint NOT NULL REFERENCES pb_editions (id),
    sealed     bytea NOT NULL
);
CREATE INDEX pb_sealed_ballots_edition_idx ON pb_sealed_ballots (edition_id);
