-- BIP: the subject menu, publications with immutable versions and
-- attachments, and the tamper-evident log of every version.

CREATE TABLE bip_categories (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id bigint REFERENCES bip_categories (id),
    slug      text NOT NULL CONSTRAINT bip_categories_slug_key UNIQUE,
    name_pl   text NOT NULL,
    name_en   text NOT NULL,
    position  int NOT NULL DEFAULT 0,
    CONSTRAINT bip_categories_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT bip_categories_parent_check CHECK (parent_id <> id)
);

-- A publication is its versions; this row caches the newest for listings.
CREATE TABLE bip_publications (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category_id     bigint NOT NULL REFERENCES bip_categories (id),
    version         int NOT NULL,
    title           text NOT NULL,
    withdrawn       boolean NOT NULL DEFAULT false,
    published_at    timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    views           bigint NOT NULL DEFAULT 0,
    source          text CONSTRAINT bip_publications_source_key UNIQUE
);
CREATE INDEX bip_publications_category_idx ON bip_publications (category_id, published_at DESC, id DESC);
CREATE INDEX bip_publications_updated_idx ON bip_publications (updated_at DESC, id DESC);

CREATE TABLE bip_versions (
    publication_id  bigint NOT NULL REFERENCES bip_publications (id),
    version         int NOT NULL,
    kind            text NOT NULL CONSTRAINT bip_versions_kind_check CHECK (kind IN ('publish', 'revise', 'withdraw')),
    category_id     bigint NOT NULL REFERENCES bip_categories (id),
    title           text NOT NULL,
    body            text NOT NULL,
    body_html       text NOT NULL,
    produced_by     text NOT NULL,
    responsible     text NOT NULL,
    produced_at     timestamptz NOT NULL,
    entered_by      bigint REFERENCES users (id),
    entered_by_name text NOT NULL,
    created_at      timestamptz NOT NULL,
    change_reason   text NOT NULL DEFAULT '',
    PRIMARY KEY (publication_id, version)
);
CREATE INDEX bip_versions_created_idx ON bip_versions (created_at DESC, publication_id, version);

CREATE TABLE bip_attachments (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    publication_id bigint NOT NULL REFERENCES bip_publications (id),
    name           text NOT NULL,
    content_type   text NOT NULL,
    size           bigint NOT NULL,
    sha256         bytea NOT NULL,
    data           bytea NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- Which attachments each version carries.
CREATE TABLE bip_version_attachments (
    publication_id bigint NOT NULL,
    version        int NOT NULL,
    attachment_id  bigint NOT NULL REFERENCES bip_attachments (id),
    position       int NOT NULL,
    PRIMARY KEY (publication_id, version, attachment_id),
    FOREIGN KEY (publication_id, version) REFERENCES bip_versions (publication_id, version)
);

-- The append-only hash chain: entry_hash = SHA-256(seq, prev_hash, content_hash).
CREATE TABLE bip_log (
    seq            bigint PRIMARY KEY,
    publication_id bigint NOT NULL,
    version        int NOT NULL,
    content_hash   bytea NOT NULL,
    prev_hash      bytea NOT NULL,
    entry_hash     bytea NOT NULL,
    created_at     timestamptz NOT NULL,
    CONSTRAINT bip_log_version_key UNIQUE (publication_id, version),
    FOREIGN KEY (publication_id, version) REFERENCES bip_versions (publication_id, version)
);

-- Published information is never changed in place nor deleted.
CREATE FUNCTION bip_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'BIP records are immutable: % on %', TG_OP, TG_TABLE_NAME;
END $$;
CREATE TRIGGER bip_versions_immutable BEFORE UPDATE OR DELETE ON bip_versions
    FOR EACH ROW EXECUTE FUNCTION bip_immutable();
CREATE TRIGGER bip_attachments_immutable BEFORE UPDATE OR DELETE ON bip_attachments
    FOR EACH ROW EXECUTE FUNCTION bip_immutable();
CREATE TRIGGER bip_version_attachments_immutable BEFORE UPDATE OR DELETE ON bip_version_attachments
    FOR EACH ROW EXECUTE FUNCTION bip_immutable();
CREATE TRIGGER bip_log_immutable BEFORE UPDATE OR DELETE ON bip_log
    FOR EACH ROW EXECUTE FUNCTION bip_immutable();
CREATE TRIGGER bip_publications_no_delete BEFORE DELETE ON bip_publications
    FOR EACH ROW EXECUTE FUNCTION bip_immutable();

-- The default subject menu of a gmina.
INSERT INTO bip_categories (slug, name_pl, name_en, position) VALUES
    ('rada', 'Rada', 'Council', 10),
    ('zarzadzenia', 'Zarządzenia', 'Orders', 20),
    ('prawo-miejscowe', 'Prawo miejscowe', 'Local law', 30),
    ('ogloszenia', 'Ogłoszenia', 'Notices', 40),
    ('konsultacje', 'Konsultacje', 'Consultations', 50),
    ('budzet-obywatelski', 'Budżet obywatelski', 'Participatory budget', 60),
    ('budzet-i-finanse', 'Budżet i finanse', 'Budget and finance', 70),
    ('zamowienia-publiczne', 'Zamówienia publiczne', 'Public procurement', 80),
    ('nabory', 'Nabory na stanowiska', 'Job vacancies', 90),
    ('oswiadczenia-majatkowe', 'Oświadczenia majątkowe', 'Asset declarations', 100),
    ('dostep-do-informacji', 'Dostęp do informacji publicznej', 'Access to public information', 110);
INSERT INTO bip_categories (parent_id, slug, name_pl, name_en, position)
SELECT id, v.slug, v.name_pl, v.name_en, v.position FROM bip_categories,
    (VALUES ('uchwaly', 'Uchwały', 'Resolutions', 10),
            ('sesje', 'Sesje', 'Sessions', 20),
            ('glosowania', 'Głosowania', 'Votes', 30),
            ('interpelacje', 'Interpelacje i zapytania', 'Interpellations and questions', 40),
            ('komisje', 'Komisje', 'Committees', 50)) AS v (slug, name_pl, name_en, position)
WHERE bip_categories.slug = 'rada';
