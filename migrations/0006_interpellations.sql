-- Interpellations and questions (art. 24): filed by a councillor, answered
-- within 14 days, both published in BIP.
CREATE TABLE interpellations (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id               bigint NOT NULL REFERENCES council_bodies (id),
    councillor_id         bigint REFERENCES councillors (id),
    councillor_name       text NOT NULL,
    kind                  text NOT NULL CONSTRAINT interpellations_kind_check CHECK (kind IN ('interpelacja', 'zapytanie', 'wniosek')),
    number                text NOT NULL DEFAULT '',
    subject               text NOT NULL,
    content               text NOT NULL DEFAULT '',
    category              text NOT NULL DEFAULT '',
    filed_on              date NOT NULL,
    due_on                date NOT NULL,
    answered_on           date,
    answer                text NOT NULL DEFAULT '',
    question_url          text NOT NULL DEFAULT '',
    answer_url            text NOT NULL DEFAULT '',
    source_id             text,
    publication_id        bigint REFERENCES bip_publications (id),
    created_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT interpellations_source_key UNIQUE (body_id, source_id)
);
CREATE INDEX interpellations_filed_idx ON interpellations (body_id, filed_on DESC, id DESC);
CREATE INDEX interpellations_councillor_idx ON interpellations (councillor_id);
