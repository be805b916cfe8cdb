-- Search: the PostgreSQL engine's documents, its word list for typo
-- tolerance, what each engine has been sent (so nothing is lost while an
-- engine is down), and saved searches with e-mail alerts.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- unaccent is only STABLE (it reads a dictionary); with the dictionary named
-- by schema this wrapper is safe to declare IMMUTABLE for generated columns.
CREATE FUNCTION search_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

-- The words of a text, folded, punctuation removed: "Uchwała XII/145/2024" → "uchwala xii 145 2024".
CREATE FUNCTION search_words_of(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT regexp_replace(search_fold($1), '[^[:alnum:]]+', ' ', 'g') $$;

-- array_to_string is STABLE for any array; for text[] it is immutable.
CREATE FUNCTION search_join(text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT array_to_string($1, ' ') $$;

CREATE TABLE search_documents (
    id        text PRIMARY KEY,             -- type:id, e.g. resolution:12
    type      text NOT NULL,
    title     text NOT NULL,
    body      text NOT NULL DEFAULT '',
    url       text NOT NULL,
    date      timestamptz,
    category  text NOT NULL DEFAULT '',
    body_name text NOT NULL DEFAULT '',
    term      text NOT NULL DEFAULT '',
    status    text NOT NULL DEFAULT '',
    numbers   text[] NOT NULL DEFAULT '{}', -- folded identifiers: xii/145/2024, ds-89/24
    tsv       tsvector GENERATED ALWAYS AS (
                  setweight(to_tsvector('simple', search_words_of(search_join(numbers) || ' ' || title)), 'A') ||
                  setweight(to_tsvector('simple', search_words_of(left(body, 200000))), 'B')) STORED
);
CREATE INDEX search_documents_tsv_idx ON search_documents USING gin (tsv);
CREATE INDEX search_documents_numbers_idx ON search_documents USING gin (numbers);
CREATE INDEX search_documents_date_idx ON search_documents (date DESC NULLS LAST, id);
CREATE INDEX search_documents_type_idx ON search_documents (type);

-- Every word indexed, for typo tolerance (nearest words by trigrams).
CREATE TABLE search_lexicon (
    word text PRIMARY KEY
);
CREATE INDEX search_lexicon_trgm_idx ON search_lexicon USING gist (word gist_trgm_ops);

-- What an engine holds: the hash of each document sent to it.
CREATE TABLE search_synced (
    engine text NOT NULL,
    id     text NOT NULL,
    hash   text NOT NULL,
    PRIMARY KEY (engine, id)
);

CREATE TABLE search_saved (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users (id),
    email           text NOT NULL,
    query           text NOT NULL,
    filters         jsonb NOT NULL DEFAULT '{}',
    lang            text NOT NULL DEFAULT 'pl',
    last_checked_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    active          boolean NOT NULL DEFAULT true
);
CREATE INDEX search_saved_user_idx ON search_saved (user_id);

-- Each alert carries a new random unsubscribe token; only its hash is kept.
CREATE TABLE search_saved_tokens (
    sha      bytea PRIMARY KEY,
    saved_id bigint NOT NULL REFERENCES search_saved (id)
);

-- Documents already announced to a saved search.
CREATE TABLE search_saved_seen (
    saved_id bigint NOT NULL REFERENCES search_saved (id),
    doc_id   text NOT NULL,
    PRIMARY KEY (saved_id, doc_id)
);
