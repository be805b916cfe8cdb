-- Search by lemma: each document's words also stand for their lemmas
-- (Polish base forms, found by the application from a Hunspell dictionary),
-- weighted below the words as written: title lemmas C, body lemmas D.
-- A vote's named list ("Barbara Mańdok: za; …") is kept apart, weighted D:
-- a councillor's name finds her votes without outranking what she wrote.
ALTER TABLE search_documents
    ADD COLUMN title_lemmas text NOT NULL DEFAULT '',
    ADD COLUMN body_lemmas  text NOT NULL DEFAULT '',
    ADD COLUMN names        text NOT NULL DEFAULT '',
    -- the councillors a document is of (a vote's voters, an interpellation's
    -- author), for the "radny/radna" filter
    ADD COLUMN councillors  text[] NOT NULL DEFAULT '{}';
CREATE INDEX search_documents_councillors_idx ON search_documents USING gin (councillors);
DROP INDEX search_documents_tsv_idx;
ALTER TABLE search_documents DROP COLUMN tsv;
ALTER TABLE search_documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', search_words_of(search_join(numbers) || ' ' || title)), 'A') ||
    setweight(to_tsvector('simple', search_words_of(left(body, 200000))), 'B') ||
    setweight(to_tsvector('simple', title_lemmas), 'C') ||
    setweight(to_tsvector('simple', left(body_lemmas, 200000)), 'D') ||
    setweight(to_tsvector('simple', search_words_of(left(names, 20000))), 'D')) STORED;
CREATE INDEX search_documents_tsv_idx ON search_documents USING gin (tsv);
-- Every document is sent again, to have its lemmas.
DELETE FROM search_synced;
