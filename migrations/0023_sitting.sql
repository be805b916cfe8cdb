-- The sitting as it runs: speaking-time limits per kind of speech, the
-- speakers list, breaks, and a timeline of everything that happened, with
-- its time, from which the session page, OParl's AgendaItem start and end,
-- and (next) the protocol and the recording index are built.

-- Limits in seconds, set per sitting, as the council's statute says
-- (e.g. 5 minutes on an item, 1 minute ad vocem or for a formal motion).
ALTER TABLE council_sessions
    ADD COLUMN limit_item      int NOT NULL DEFAULT 300 CONSTRAINT council_sessions_limit_item_check CHECK (limit_item BETWEEN 10 AND 3600),
    ADD COLUMN limit_ad_vocem  int NOT NULL DEFAULT 60 CONSTRAINT council_sessions_limit_ad_vocem_check CHECK (limit_ad_vocem BETWEEN 10 AND 3600),
    ADD COLUMN limit_formal    int NOT NULL DEFAULT 60 CONSTRAINT council_sessions_limit_formal_check CHECK (limit_formal BETWEEN 10 AND 3600),
    ADD COLUMN break_since     timestamptz,
    ADD COLUMN break_until     timestamptz;

-- A request to speak and, once granted, the speech. A councillor speaks
-- under their id; anyone else (the mayor, a guest, a resident) by name.
CREATE TABLE speeches (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id     bigint NOT NULL REFERENCES council_sessions (id),
    agenda_item_id bigint REFERENCES agenda_items (id),
    kind           text NOT NULL CONSTRAINT speeches_kind_check CHECK (kind IN ('item', 'ad_vocem', 'formal')),
    councillor_id  bigint REFERENCES councillors (id),
    name           text NOT NULL,
    state          text NOT NULL DEFAULT 'waiting' CONSTRAINT speeches_state_check CHECK (state IN ('waiting', 'speaking', 'done', 'withdrawn')),
    position       int NOT NULL,
    limit_seconds  int NOT NULL CONSTRAINT speeches_limit_check CHECK (limit_seconds BETWEEN 10 AND 7200),
    requested_at   timestamptz NOT NULL DEFAULT now(),
    requested_by   bigint REFERENCES users (id),
    started_at     timestamptz,
    ended_at       timestamptz,
    CONSTRAINT speeches_name_check CHECK (name <> '' AND length(name) <= 200)
);
CREATE INDEX speeches_session_idx ON speeches (session_id, state, position);
-- One speaker at a time; one waiting request of a kind per councillor.
CREATE UNIQUE INDEX speeches_one_speaking_key ON speeches (session_id) WHERE state = 'speaking';
CREATE UNIQUE INDEX speeches_one_request_key ON speeches (session_id, councillor_id, kind) WHERE state = 'waiting' AND councillor_id IS NOT NULL;

-- What happened, when: the sitting's timeline. ref is the vote or speech
-- the entry is about.
CREATE TABLE session_timeline (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id     bigint NOT NULL REFERENCES council_sessions (id),
    at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    kind           text NOT NULL CONSTRAINT session_timeline_kind_check CHECK (kind IN ('started', 'item', 'speech_started', 'speech_ended',
                       'vote_opened', 'vote_closed', 'vote_cancelled', 'break_started', 'break_ended', 'closed')),
    agenda_item_id bigint REFERENCES agenda_items (id),
    ref_id         bigint,
    text           text NOT NULL DEFAULT ''
);
CREATE INDEX session_timeline_session_idx ON session_timeline (session_id, at, id);
CREATE INDEX session_timeline_item_idx ON session_timeline (agenda_item_id, at) WHERE kind = 'item';

-- The votes already taken are on the timeline too.
INSERT INTO session_timeline (session_id, at, kind, agenda_item_id, ref_id, text)
SELECT session_id, opened_at, 'vote_opened', agenda_item_id, id, subject FROM votes WHERE opened_at IS NOT NULL
UNION ALL
SELECT session_id, closed_at, 'vote_closed', agenda_item_id, id, subject FROM votes WHERE closed_at IS NOT NULL AND state = 'closed';
