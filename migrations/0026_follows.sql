-- Follows and notices. A signed-in person follows a body, a councillor, a
-- consultation, a budget edition, a BIP category or a saved search, and
-- chooses how to hear of it: at once, or in a daily or weekly digest, by
-- e-mail or SMS.
--
-- The notifier reads each event of the outbox once (outbox.noticed), in
-- the same transaction as it writes the notices the event makes, so an
-- event is never skipped nor noticed twice, whatever the order in which
-- transactions commit. A message is composed (its notices bound to it) in
-- one transaction, then claimed, sent and recorded; a message claimed and
-- never recorded as sent is sent again with the same Message-ID.
CREATE TABLE follows (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id),
    target_type text NOT NULL CHECK (target_type IN ('body', 'councillor', 'consultation', 'pb_edition', 'bip_category', 'saved_search')),
    target_id   bigint NOT NULL,
    delivery    text NOT NULL CHECK (delivery IN ('immediate', 'daily', 'weekly')),
    channel     text NOT NULL CHECK (channel IN ('email', 'sms')),
    lang        text NOT NULL DEFAULT 'pl' CHECK (lang IN ('pl', 'en')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz
);
CREATE UNIQUE INDEX follows_once ON follows (user_id, target_type, target_id, channel) WHERE ended_at IS NULL;
CREATE INDEX follows_target ON follows (target_type, target_id) WHERE ended_at IS NULL;

-- A person's phone for SMS notices, verified by a code sent to it; only the
-- code's hash is kept.
CREATE TABLE contacts (
    user_id       bigint PRIMARY KEY REFERENCES users (id),
    phone         text NOT NULL,
    verified_at   timestamptz,
    code_sha      bytea,
    code_expires  timestamptz,
    code_attempts int NOT NULL DEFAULT 0,
    codes_sent    int NOT NULL DEFAULT 0, -- codes sent since codes_since
    codes_since   timestamptz NOT NULL DEFAULT now()
);

-- Existing events have happened before anyone followed anything.
ALTER TABLE outbox ADD COLUMN noticed boolean NOT NULL DEFAULT true;
ALTER TABLE outbox ALTER COLUMN noticed SET DEFAULT false;
CREATE INDEX outbox_unnoticed ON outbox (id) WHERE NOT noticed AND NOT live_only;

-- A message to one person by one channel: an immediate notice or a digest.
CREATE TABLE notice_messages (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id),
    channel      text NOT NULL,
    delivery     text NOT NULL,
    lang         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    attempts     int NOT NULL DEFAULT 0,
    claimed_till timestamptz,
    sent_at      timestamptz,
    last_error   text
);
CREATE INDEX notice_messages_unsent ON notice_messages (id) WHERE sent_at IS NULL;
CREATE INDEX notice_messages_digests ON notice_messages (user_id, channel, delivery, created_at);

-- What an event means to one follower. One item (a vote's result, a
-- publication) reaches a person once by a channel, however many of their
-- follows it matches: a digest never repeats an item.
CREATE TABLE notices (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    follow_id  bigint NOT NULL REFERENCES follows (id),
    user_id    bigint NOT NULL REFERENCES users (id),
    channel    text NOT NULL,
    item_key   text NOT NULL,
    event_id   bigint NOT NULL,
    title      text NOT NULL,
    url        text NOT NULL,
    at         timestamptz NOT NULL,
    message_id bigint REFERENCES notice_messages (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, channel, item_key)
);
CREATE INDEX notices_pending ON notices (user_id) WHERE message_id IS NULL;
CREATE INDEX notices_message ON notices (message_id);

-- Unsubscribe tokens of sent messages (their hashes): a token ends the
-- follows whose notices its message carried, with no sign-in.
CREATE TABLE notice_tokens (
    sha        bytea PRIMARY KEY,
    message_id bigint NOT NULL REFERENCES notice_messages (id)
);
