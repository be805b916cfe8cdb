-- Participatory budgeting (budżet obywatelski): editions with districts and
-- phases, projects with their verification and appeals, and ballots kept
-- apart from who cast them.

CREATE TABLE pb_editions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year             int NOT NULL CONSTRAINT pb_editions_year_check CHECK (year BETWEEN 2000 AND 2200),
    name             text NOT NULL,
    phase            text NOT NULL DEFAULT 'submission' CONSTRAINT pb_editions_phase_check
                     CHECK (phase IN ('submission', 'verification', 'appeals', 'voting', 'results')),
    -- Ballot rules, as pabulib's META names them.
    vote_type        text NOT NULL DEFAULT 'approval' CONSTRAINT pb_editions_vote_type_check
                     CHECK (vote_type IN ('approval', 'choose-1', 'cumulative', 'scoring', 'ordinal')),
    min_length       int NOT NULL DEFAULT 1,
    max_length       int,
    max_sum_cost     bigint,
    max_points       int,
    max_sum_points   int,
    rule             text NOT NULL DEFAULT 'greedy',
    require_verified boolean NOT NULL DEFAULT false,
    categories       text[] NOT NULL DEFAULT '{}',
    -- The planned start of each phase, as announced: {"voting": "2027-05-10", …}.
    schedule         jsonb NOT NULL DEFAULT '{}',
    -- An imported file's META (thresholds, exclusions in its comment …), kept
    -- so that its rule reads the same data again.
    pabulib_meta     jsonb NOT NULL DEFAULT '[]',
    source           text,
    results_publication_id bigint REFERENCES bip_publications (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pb_editions_source_key UNIQUE (source)
);

-- A district (okręg) with its own pool; the city-wide pool is one too.
CREATE TABLE pb_districts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    edition_id bigint NOT NULL REFERENCES pb_editions (id),
    name       text NOT NULL,
    budget     bigint NOT NULL CONSTRAINT pb_districts_budget_check CHECK (budget >= 0), -- grosze
    citywide   boolean NOT NULL DEFAULT false,
    CONSTRAINT pb_districts_name_key UNIQUE (edition_id, name)
);

CREATE TABLE pb_projects (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    edition_id    bigint NOT NULL REFERENCES pb_editions (id),
    district_id   bigint NOT NULL REFERENCES pb_districts (id),
    code          text NOT NULL,               -- the number on the ballot, or pabulib's project_id
    title         text NOT NULL,
    description   text NOT NULL DEFAULT '',
    place         text NOT NULL DEFAULT '',
    category      text NOT NULL DEFAULT '',
    cost          bigint NOT NULL CONSTRAINT pb_projects_cost_check CHECK (cost > 0), -- grosze
    cost_items    jsonb NOT NULL DEFAULT '[]',  -- [{"item", "cost"}]
    status        text NOT NULL DEFAULT 'submitted' CONSTRAINT pb_projects_status_check
                  CHECK (status IN ('submitted', 'accepted', 'rejected', 'appealed')),
    justification text NOT NULL DEFAULT '',
    appeal        text NOT NULL DEFAULT '',
    submitted_by  bigint REFERENCES users (id),
    position      int NOT NULL DEFAULT 0,      -- file order (ties in the tally)
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pb_projects_code_key UNIQUE (edition_id, code)
);
CREATE INDEX pb_projects_district_idx ON pb_projects (district_id, position, id);

-- Who voted: one row per voter and edition, with no time, no channel and no
-- link to the ballot. voter_key is "user:ID" for an account (online, or on
-- paper by the account's e-mail), or a hash of the document number a paper
-- voter showed; a document number cannot be matched to an account, so the
-- office identifies paper voters who have an account by its e-mail.
CREATE TABLE pb_voters (
    edition_id bigint NOT NULL REFERENCES pb_editions (id),
    voter_key  text NOT NULL,
    PRIMARY KEY (edition_id, voter_key)
);

-- What was voted: a random id, the receipt's hash, the choices. No voter,
-- no time; listed in id order, which is random. While voting is open a
-- ballot row was written by the same transaction as its voter row (the
-- database's own xmin could pair them for someone with database access);
-- ending the vote rewrites every ballot in one transaction, in id order,
-- before anything is published.
CREATE TABLE pb_ballots (
    id           uuid PRIMARY KEY,
    edition_id   bigint NOT NULL REFERENCES pb_editions (id),
    receipt_hash bytea NOT NULL,
    projects     bigint[] NOT NULL,
    points       int[],
    channel      text NOT NULL CONSTRAINT pb_ballots_channel_check CHECK (channel IN ('online', 'paper', 'imported')),
    CONSTRAINT pb_ballots_receipt_key UNIQUE (receipt_hash)
);
CREATE INDEX pb_ballots_edition_idx ON pb_ballots (edition_id, id);

-- Computed results, per district, when published.
CREATE TABLE pb_results (
    edition_id  bigint NOT NULL REFERENCES pb_editions (id),
    project_id  bigint NOT NULL REFERENCES pb_projects (id),
    score       bigint NOT NULL,
    selected    boolean NOT NULL,
    rank        int NOT NULL,
    PRIMARY KEY (edition_id, project_id)
);

-- Attachments of projects (maps, sketches, quotes), checked like BIP's.
CREATE TABLE pb_files (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id   bigint NOT NULL REFERENCES pb_projects (id),
    name         text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL,
    sha256       bytea NOT NULL,
    data         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pb_files_project_idx ON pb_files (project_id);
