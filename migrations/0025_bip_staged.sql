-- Files chosen in the BIP editor while its form is shown again (a preview,
-- a refusal): a browser does not send a file twice, so the server keeps
-- it, for its uploader only, until the publication is saved or a day has
-- passed.
CREATE TABLE bip_staged (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id),
    name       text NOT NULL,
    data       bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bip_staged_user_idx ON bip_staged (user_id, id);
