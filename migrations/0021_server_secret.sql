-- A fingerprint of the server's secret (HMAC of a fixed text under it, not
-- the secret): a server started with another secret than the one this
-- database was used with (a lost secret.key, or instances with different
-- ones) refuses to start instead of silently keying paper voters anew, which
-- would let them vote again.
CREATE TABLE server_secret (
    id          int PRIMARY KEY CONSTRAINT server_secret_one CHECK (id = 1),
    fingerprint bytea NOT NULL
);
