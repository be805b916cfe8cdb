-- The text of uploaded files (PDF, DOCX, ODT), read once after upload by
-- the application, by the file's SHA-256: search finds what attachments
-- say. error says why a file has none.
CREATE TABLE file_texts (
    sha256       bytea PRIMARY KEY,
    text         text NOT NULL DEFAULT '',
    error        text NOT NULL DEFAULT '',
    extracted_at timestamptz NOT NULL DEFAULT now()
);
