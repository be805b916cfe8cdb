-- Resolutions (uchwały): a vote may carry a draft resolution; when it is
-- adopted, the resolution is numbered (session/sequence/year, e.g.
-- XII/145/2026) and published in BIP in the transaction that closes it.
ALTER TABLE votes ADD COLUMN resolution_title text NOT NULL DEFAULT '';
ALTER TABLE votes ADD COLUMN resolution_text text NOT NULL DEFAULT '';

CREATE TABLE resolutions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id        bigint NOT NULL REFERENCES council_bodies (id),
    session_id     bigint NOT NULL REFERENCES council_sessions (id),
    vote_id        bigint NOT NULL CONSTRAINT resolutions_vote_key UNIQUE REFERENCES votes (id),
    seq            int NOT NULL,
    number         text NOT NULL,
    title          text NOT NULL,
    publication_id bigint REFERENCES bip_publications (id),
    adopted_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT resolutions_seq_key UNIQUE (body_id, seq)
);
