-- e-Rada, second part: terms (kadencje) that number sessions, clubs and
-- memberships over time, papers (druki) and agenda attachments as records of
-- their own, announcing a session to BIP, the current agenda item, agenda
-- changes decided by vote, and created/modified times on everything OParl
-- publishes (its created_since / modified_since filters).

CREATE FUNCTION council_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.modified_at := now();
    RETURN NEW;
END $$;

-- Terms.
ALTER TABLE council_terms ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE council_terms ADD COLUMN modified_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE council_terms ADD CONSTRAINT council_terms_dates_check CHECK (ends_on IS NULL OR ends_on >= starts_on);
CREATE INDEX council_terms_body_idx ON council_terms (body_id, starts_on);

-- Bodies.
ALTER TABLE council_bodies ADD COLUMN modified_at timestamptz NOT NULL DEFAULT now();

-- Councillors, sorted by surname the Polish way ("Łukasz" after "Lis").
ALTER TABLE councillors ADD COLUMN modified_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE councillors ADD COLUMN sort_name text COLLATE "pl-x-icu"
    GENERATED ALWAYS AS (regexp_replace(name, '^(.*)\s+(\S+)$', '\2 \1')) STORED;

-- Clubs (kluby radnych) of a body.
CREATE TABLE council_clubs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id     bigint NOT NULL REFERENCES council_bodies (id),
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    modified_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT council_clubs_name_key UNIQUE (body_id, name)
);

-- Memberships over time: of the body itself (club_id NULL) or of one of its
-- clubs, with the function held.
CREATE TABLE council_memberships (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    councillor_id bigint NOT NULL REFERENCES councillors (id),
    body_id       bigint NOT NULL REFERENCES council_bodies (id),
    club_id       bigint REFERENCES council_clubs (id),
    role          text NOT NULL DEFAULT 'member' CONSTRAINT council_memberships_role_check CHECK (role IN ('member', 'chair', 'vice_chair')),
    starts_on     date NOT NULL,
    ends_on       date,
    created_at    timestamptz NOT NULL DEFAULT now(),
    modified_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT council_memberships_dates_check CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX council_memberships_councillor_idx ON council_memberships (councillor_id, starts_on);

-- Every existing councillor gets the memberships they have now.
INSERT INTO council_clubs (body_id, name)
SELECT DISTINCT body_id, club FROM councillors WHERE club <> '';
INSERT INTO council_memberships (councillor_id, body_id, role, starts_on, ends_on)
SELECT c.id, c.body_id, CASE WHEN c.function = '' THEN 'member' ELSE c.function END,
       c.created_at::date, CASE WHEN c.active THEN NULL ELSE c.created_at::date END
FROM councillors c;
INSERT INTO council_memberships (councillor_id, body_id, club_id, starts_on, ends_on)
SELECT c.id, c.body_id, k.id, c.created_at::date, CASE WHEN c.active THEN NULL ELSE c.created_at::date END
FROM councillors c JOIN council_clubs k ON k.body_id = c.body_id AND k.name = c.club;

-- Sessions: numbered within a term, announced to BIP, with a current item.
ALTER TABLE council_sessions ADD COLUMN term_id bigint REFERENCES council_terms (id);
ALTER TABLE council_sessions ADD COLUMN announced_at timestamptz;
ALTER TABLE council_sessions ADD COLUMN agenda_publication_id bigint REFERENCES bip_publications (id);
ALTER TABLE council_sessions ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE council_sessions ADD COLUMN modified_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE council_sessions DROP CONSTRAINT council_sessions_number_key;
CREATE UNIQUE INDEX council_sessions_number_key ON council_sessions (body_id, coalesce(term_id, 0), number);
CREATE INDEX council_sessions_starts_idx ON council_sessions (starts_at);

-- Agenda items.
ALTER TABLE agenda_items ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE agenda_items ADD COLUMN modified_at timestamptz NOT NULL DEFAULT now();
-- An item taken off the agenda by a vote stays on record, marked.
ALTER TABLE agenda_items ADD COLUMN removed_by_vote_id bigint REFERENCES votes (id);

-- Papers (druki): one record per reference in a body, e.g. DS-89/24.
CREATE TABLE council_papers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id     bigint NOT NULL REFERENCES council_bodies (id),
    reference   text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    modified_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT council_papers_reference_key UNIQUE (body_id, reference)
);
CREATE TABLE agenda_item_papers (
    agenda_item_id bigint NOT NULL REFERENCES agenda_items (id),
    paper_id       bigint NOT NULL REFERENCES council_papers (id),
    PRIMARY KEY (agenda_item_id, paper_id)
);
INSERT INTO council_papers (body_id, reference)
SELECT DISTINCT s.body_id, p FROM agenda_items a JOIN council_sessions s ON s.id = a.session_id
CROSS JOIN LATERAL unnest(a.papers) p;
INSERT INTO agenda_item_papers (agenda_item_id, paper_id)
SELECT DISTINCT a.id, cp.id FROM agenda_items a JOIN council_sessions s ON s.id = a.session_id
CROSS JOIN LATERAL unnest(a.papers) p
JOIN council_papers cp ON cp.body_id = s.body_id AND cp.reference = p;

-- Attachments of agenda items (projects of resolutions, reports), checked
-- like BIP's: type sniffed, SHA-256 kept, immutable.
CREATE TABLE agenda_files (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agenda_item_id bigint NOT NULL REFERENCES agenda_items (id),
    name           text NOT NULL,
    content_type   text NOT NULL,
    size           bigint NOT NULL,
    sha256         bytea NOT NULL,
    data           bytea NOT NULL,
    -- the same file in the session's BIP announcement, once published
    bip_attachment_id bigint REFERENCES bip_attachments (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    modified_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agenda_files_item_idx ON agenda_files (agenda_item_id);

-- Votes: a vote may change the agenda (art. 20 ust. 1a): the proposed
-- change is applied in the transaction that closes it adopted.
ALTER TABLE votes ADD COLUMN agenda_change jsonb;
-- A closed vote's named list is kept as it was: each member's entry with
-- their club at the time, so later changes of mandates and clubs leave it.
ALTER TABLE ballots ADD COLUMN club text;
ALTER TABLE votes ADD COLUMN modified_at timestamptz NOT NULL DEFAULT now();

CREATE TRIGGER council_bodies_touch BEFORE UPDATE ON council_bodies FOR EACH ROW EXECUTE FUNCTION council_touch();
CREATE TRIGGER council_terms_touch BEFORE UPDATE ON council_terms FOR EACH ROW EXECUTE FUNCTION council_touch();
CREATE TRIGGER councillors_touch BEFORE UPDATE ON councillors FOR EACH ROW EXECUTE FUNCTION council_touch();
CREATE TRIGGER council_clubs_touch BEFORE UPDATE ON council_clubs FOR EACH ROW EXECUTE FUNCTION council_touch();
CREATE TRIGGER council_memberships_touch BEFORE UPDATE ON council_memberships FOR EACH ROW EXECUTE FUNCTION council_touch();
CREATE TRIGGER council_sessions_touch BEFORE UPDATE ON council_sessions FOR EACH ROW EXECUTE FUNCTION council_touch();
CREATE TRIGGER agenda_items_touch BEFORE UPDATE ON agenda_items FOR EACH ROW EXECUTE FUNCTION council_touch();
CREATE TRIGGER council_papers_touch BEFORE UPDATE ON council_papers FOR EACH ROW EXECUTE FUNCTION council_touch();
CREATE TRIGGER agenda_files_touch BEFORE UPDATE ON agenda_files FOR EACH ROW EXECUTE FUNCTION council_touch();
CREATE TRIGGER votes_touch BEFORE UPDATE ON votes FOR EACH ROW EXECUTE FUNCTION council_touch();
