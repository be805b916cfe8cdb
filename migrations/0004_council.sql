-- e-Rada: bodies (the council and its committees), terms, councillors,
-- sessions with their agenda and attendance, and named votes.

CREATE TABLE council_bodies (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text NOT NULL,
    kind           text NOT NULL DEFAULT 'council' CONSTRAINT council_bodies_kind_check CHECK (kind IN ('council', 'committee')),
    statutory_size int NOT NULL CONSTRAINT council_bodies_size_check CHECK (statutory_size BETWEEN 1 AND 200),
    parent_id      bigint REFERENCES council_bodies (id),
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE council_terms (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id   bigint NOT NULL REFERENCES council_bodies (id),
    name      text NOT NULL,
    starts_on date NOT NULL,
    ends_on   date
);

CREATE TABLE councillors (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id    bigint NOT NULL REFERENCES council_bodies (id),
    name       text NOT NULL,
    club       text NOT NULL DEFAULT '',
    email      text,
    function   text NOT NULL DEFAULT '' CONSTRAINT councillors_function_check CHECK (function IN ('', 'chair', 'vice_chair')),
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX councillors_email_key ON councillors (body_id, lower(email)) WHERE email IS NOT NULL;

CREATE TABLE council_sessions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id         bigint NOT NULL REFERENCES council_bodies (id),
    number          int NOT NULL CONSTRAINT council_sessions_number_check CHECK (number > 0),
    kind            text NOT NULL DEFAULT 'ordinary' CONSTRAINT council_sessions_kind_check CHECK (kind IN ('ordinary', 'extraordinary', 'ceremonial')),
    title           text NOT NULL DEFAULT '',
    starts_at       timestamptz NOT NULL,
    place           text NOT NULL DEFAULT '',
    state           text NOT NULL DEFAULT 'planned' CONSTRAINT council_sessions_state_check CHECK (state IN ('planned', 'in_progress', 'closed')),
    broadcast_url   text NOT NULL DEFAULT '',
    recording_url   text NOT NULL DEFAULT '',
    protocol_url    text NOT NULL DEFAULT '',
    current_item_id bigint,
    CONSTRAINT council_sessions_number_key UNIQUE (body_id, number)
);

CREATE TABLE agenda_items (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id bigint NOT NULL REFERENCES council_sessions (id),
    position   int NOT NULL,
    label      text NOT NULL,
    title      text NOT NULL,
    papers     text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX agenda_items_session_idx ON agenda_items (session_id, position);

CREATE TABLE attendance (
    session_id    bigint NOT NULL REFERENCES council_sessions (id),
    councillor_id bigint NOT NULL REFERENCES councillors (id),
    present       boolean NOT NULL,
    marked_by     bigint REFERENCES users (id),
    at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, councillor_id)
);

CREATE TABLE votes (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id       bigint NOT NULL REFERENCES council_sessions (id),
    agenda_item_id   bigint NOT NULL REFERENCES agenda_items (id),
    subject          text NOT NULL,
    majority         text NOT NULL CONSTRAINT votes_majority_check CHECK (majority IN ('simple', 'absolute', 'absolute_statutory', 'qualified_3_5_statutory', 'qualified_2_3_statutory')),
    mode             text NOT NULL DEFAULT 'electronic' CONSTRAINT votes_mode_check CHECK (mode IN ('electronic', 'roll_call', 'secret')),
    state            text NOT NULL DEFAULT 'draft' CONSTRAINT votes_state_check CHECK (state IN ('draft', 'open', 'closed')),
    repeats_id       bigint REFERENCES votes (id),
    statutory_size   int,
    opened_at        timestamptz,
    closed_at        timestamptz,
    count_for        int,
    count_against    int,
    count_abstain    int,
    count_not_voting int,
    count_absent     int,
    outcome          text CONSTRAINT votes_outcome_check CHECK (outcome IN ('adopted', 'rejected')),
    publication_id   bigint REFERENCES bip_publications (id),
    created_at       timestamptz NOT NULL DEFAULT now()
);
-- One vote open at a time in a session.
CREATE UNIQUE INDEX votes_one_open_key ON votes (session_id) WHERE state = 'open';
CREATE INDEX votes_closed_idx ON votes (closed_at DESC, id DESC) WHERE state = 'closed';

CREATE TABLE ballots (
    vote_id       bigint NOT NULL REFERENCES votes (id),
    councillor_id bigint NOT NULL REFERENCES councillors (id),
    choice        text NOT NULL CONSTRAINT ballots_choice_check CHECK (choice IN ('for', 'against', 'abstain')),
    cast_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (vote_id, councillor_id)
);
