-- Accounts, roles, browser sessions, API tokens, login throttling, OIDC login
-- state, and the outbox every module writes its events to.

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text,
    name          text NOT NULL,
    password_hash text,
    roles         text[] NOT NULL DEFAULT '{}',
    oidc_issuer   text,
    oidc_subject  text,
    verified      boolean NOT NULL DEFAULT false,
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_roles_check CHECK (roles <@ ARRAY['admin','secretary','chair','councillor','consultation_officer','pb_officer','resident']::text[]),
    CONSTRAINT users_name_check CHECK (length(name) BETWEEN 1 AND 200),
    CONSTRAINT users_oidc_check CHECK ((oidc_issuer IS NULL) = (oidc_subject IS NULL))
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX users_oidc_key ON users (oidc_issuer, oidc_subject) WHERE oidc_issuer IS NOT NULL;

-- A browser session: the cookie holds a random id, the table its SHA-256.
CREATE TABLE web_sessions (
    id_hash    bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX web_sessions_user_idx ON web_sessions (user_id);

-- API tokens: only the SHA-256 of the token is stored.
CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL CONSTRAINT api_tokens_hash_key UNIQUE,
    name         text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);

-- Failed logins, counted per account and per address for throttling.
CREATE TABLE login_failures (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    addr  text NOT NULL,
    at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email_idx ON login_failures (lower(email), at);
CREATE INDEX login_failures_addr_idx ON login_failures (addr, at);

-- One-time OpenID Connect login state: state, nonce and PKCE verifier.
CREATE TABLE oidc_logins (
    state      text PRIMARY KEY,
    nonce      text NOT NULL,
    verifier   text NOT NULL,
    next       text NOT NULL DEFAULT '/',
    expires_at timestamptz NOT NULL
);

-- Events written in the same transaction as the change they describe; the
-- relay delivers them after commit (NOTIFY ratusz_outbox).
CREATE TABLE outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type       text NOT NULL,
    topic      text NOT NULL,
    payload    jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_topic_idx ON outbox (topic, id);
