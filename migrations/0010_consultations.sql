-- Public consultations (konsultacje społeczne): a survey, documents under
-- consultation with remarks (uwagi) on them, responses, moderation of text
-- answers, and the report published in BIP.

CREATE TABLE consultations (
    id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title                     text NOT NULL,
    description               text NOT NULL DEFAULT '',
    organiser                 text NOT NULL DEFAULT '',
    starts_at                 timestamptz NOT NULL,
    ends_at                   timestamptz NOT NULL,
    eligibility               text NOT NULL DEFAULT 'residents',
    questions                 jsonb NOT NULL DEFAULT '[]',
    state                     text NOT NULL DEFAULT 'draft',
    results_live              boolean NOT NULL DEFAULT false,
    created_by                bigint REFERENCES users (id),
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    opened_at                 timestamptz,
    closed_at                 timestamptz,
    announcement_publication_id bigint REFERENCES bip_publications (id),
    report_publication_id     bigint REFERENCES bip_publications (id),
    CONSTRAINT consultations_eligibility_check CHECK (eligibility IN ('residents', 'verified', 'open')),
    CONSTRAINT consultations_state_check CHECK (state IN ('draft', 'open', 'closed')),
    CONSTRAINT consultations_period_check CHECK (ends_at > starts_at)
);

CREATE INDEX consultations_state_idx ON consultations (state, ends_at DESC);

CREATE TABLE consultation_documents (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consultation_id bigint NOT NULL REFERENCES consultations (id),
    name            text NOT NULL,
    content_type    text NOT NULL,
    size            bigint NOT NULL,
    sha256          bytea NOT NULL,
    data            bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX consultation_documents_consultation_idx ON consultation_documents (consultation_id);

-- One response per resident (user_id) or, for open consultations answered
-- without an account, per browser (the SHA-256 of a random cookie token).
CREATE TABLE consultation_responses (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consultation_id bigint NOT NULL REFERENCES consultations (id),
    user_id         bigint REFERENCES users (id),
    browser_hash    bytea,
    answers         jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT consultation_responses_respondent_check CHECK ((user_id IS NULL) <> (browser_hash IS NULL)),
    CONSTRAINT consultation_responses_user_key UNIQUE (consultation_id, user_id),
    CONSTRAINT consultation_responses_browser_key UNIQUE (consultation_id, browser_hash)
);

-- The officer's decision on a text answer: shown in the results or hidden.
-- A changed response loses its decisions (the text is new).
CREATE TABLE consultation_moderation (
    response_id  bigint NOT NULL REFERENCES consultation_responses (id) ON DELETE CASCADE,
    question_id  text NOT NULL,
    visible      boolean NOT NULL,
    moderated_by bigint REFERENCES users (id),
    moderated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (response_id, question_id)
);

CREATE TABLE consultation_remarks (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consultation_id bigint NOT NULL REFERENCES consultations (id),
    document_id     bigint REFERENCES consultation_documents (id),
    section         text NOT NULL DEFAULT '',
    body            text NOT NULL,
    user_id         bigint REFERENCES users (id),
    author          text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    verdict         text,
    justification   text NOT NULL DEFAULT '',
    answered_by     bigint REFERENCES users (id),
    answered_at     timestamptz,
    CONSTRAINT consultation_remarks_verdict_check CHECK (verdict IS NULL OR verdict IN ('accepted', 'partly', 'rejected'))
);

CREATE INDEX consultation_remarks_consultation_idx ON consultation_remarks (consultation_id, id);
