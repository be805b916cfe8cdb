// Package config reads Ratusz's configuration from environment variables. A
// wrong value is an error naming the variable, and start-up stops on it.
package config

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Config is the whole configuration. It is passed explicitly; there is no
// global configuration.
type Config struct {
	Addr         string   // RATUSZ_ADDR
	BaseURL      *url.URL // RATUSZ_BASE_URL, public address (defaults to http://Addr)
	DataDir      string   // RATUSZ_DATA_DIR
	DatabaseURL  string   // DATABASE_URL; empty means the embedded cluster
	Municipality string   // RATUSZ_MUNICIPALITY

	OIDCIssuer        string // RATUSZ_OIDC_ISSUER
	OIDCClientID      string // RATUSZ_OIDC_CLIENT_ID
	OIDCClientSecret  string // RATUSZ_OIDC_CLIENT_SECRET
	OIDCVerifiedClaim string // RATUSZ_OIDC_VERIFIED_CLAIM, "name" or "name=value"
	OIDCName          string // RATUSZ_OIDC_NAME: what residents sign in with, as the button says
	DemoLogin         bool   // RATUSZ_DEMO_LOGIN: run a stand-in identity provider (make run)

	SMTPURL     string // RATUSZ_SMTP_URL
	SMSURL      string // RATUSZ_SMS_URL: the SMS adapter and its credentials
	MeiliURL    string // MEILI_URL
	Dictionary  string // RATUSZ_DICTIONARY: the folder of pl_PL.aff and pl_PL.dic
	MeiliAPIKey string // MEILI_API_KEY
	LogLevel    string // RATUSZ_LOG_LEVEL
	SecretFile  string // RATUSZ_SECRET_FILE
}

// Var documents one variable; Vars is the README's configuration table.
type Var struct{ Name, Default, Meaning string }

var Vars = []Var{
	{"RATUSZ_ADDR", "127.0.0.1:8080", "address the server listens on"},
	{"RATUSZ_BASE_URL", "http://RATUSZ_ADDR", "public address of the site, used in links, e-mails, the OIDC callback and the origin check; https makes cookies Secure"},
	{"RATUSZ_DATA_DIR", "./data", "where the embedded PostgreSQL cluster lives (postgres/); attachments are stored in the database"},
	{"DATABASE_URL", "(empty: embedded)", "an external PostgreSQL server, e.g. postgres://ratusz@db/ratusz"},
	{"RATUSZ_MUNICIPALITY", "Gmina Przykładowo", "the municipality's name, shown on every page"},
	{"RATUSZ_OIDC_ISSUER", "(empty: off)", "OpenID Connect provider for resident login; the three OIDC variables go together"},
	{"RATUSZ_OIDC_CLIENT_ID", "", "client id registered with the provider"},
	{"RATUSZ_OIDC_CLIENT_SECRET", "", "client secret registered with the provider"},
	{"RATUSZ_OIDC_VERIFIED_CLAIM", "(empty)", "ID-token claim that marks a verified resident: `name` (true) or `name=value`"},
	{"RATUSZ_OIDC_NAME", "login.gov.pl", "what residents sign in with, as the sign-in button names it (\"Zaloguj się przez …\")"},
	{"RATUSZ_DEMO_LOGIN", "(empty: off)", "`1`: with no OIDC provider configured and a loopback address, run a stand-in identity provider on the next port, so that the resident path can be tried; `make run` sets it; never in production"},
	{"RATUSZ_SMTP_URL", "(empty: mail is logged)", "mail server, e.g. smtp://user:pass@host:587 or smtps://host:465"},
	{"RATUSZ_SMS_URL", "(empty: no SMS)", "SMS for notices: `smsapi://TOKEN@api.smsapi.pl?from=NAME` (SMSAPI.pl, an OAuth token of the municipality's account) or `spool:` (each message written to RATUSZ_DATA_DIR/sms, for the demo; `make run` sets it)"},
	{"MEILI_URL", "(empty: PostgreSQL search)", "Meilisearch server; when set, search uses it"},
	{"MEILI_API_KEY", "", "Meilisearch API key"},
	{"RATUSZ_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"RATUSZ_SECRET_FILE", "RATUSZ_DATA_DIR/secret.key", "the server's secret (32 random bytes, made on first start, mode 0600): keys paper voters' document numbers; keep it out of database backups"},
}

// Load reads the configuration through getenv (os.Getenv in production).
func Load(getenv func(string) string) (*Config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := &Config{
		Addr:              get("RATUSZ_ADDR", "127.0.0.1:8080"),
		DataDir:           get("RATUSZ_DATA_DIR", "./data"),
		DatabaseURL:       get("DATABASE_URL", ""),
		Municipality:      get("RATUSZ_MUNICIPALITY", "Gmina Przykładowo"),
		OIDCIssuer:        get("RATUSZ_OIDC_ISSUER", ""),
		OIDCClientID:      get("RATUSZ_OIDC_CLIENT_ID", ""),
		OIDCClientSecret:  get("RATUSZ_OIDC_CLIENT_SECRET", ""),
		OIDCVerifiedClaim: get("RATUSZ_OIDC_VERIFIED_CLAIM", ""),
		OIDCName:          get("RATUSZ_OIDC_NAME", "login.gov.pl"),
		DemoLogin:         get("RATUSZ_DEMO_LOGIN", "") == "1",
		SMTPURL:           get("RATUSZ_SMTP_URL", ""),
		SMSURL:            get("RATUSZ_SMS_URL", ""),
		MeiliURL:          get("MEILI_URL", ""),
		Dictionary:        get("RATUSZ_DICTIONARY", "/usr/share/hunspell"),
		MeiliAPIKey:       get("MEILI_API_KEY", ""),
		LogLevel:          get("RATUSZ_LOG_LEVEL", "info"),
		SecretFile:        get("RATUSZ_SECRET_FILE", ""),
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		return nil, fmt.Errorf("RATUSZ_ADDR: %q is not host:port", c.Addr)
	}
	base := get("RATUSZ_BASE_URL", "http://"+c.Addr)
	u, err := httpURL(base)
	if err != nil {
		return nil, fmt.Errorf("RATUSZ_BASE_URL: %v", err)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	c.BaseURL = u
	if abs, err := filepath.Abs(c.DataDir); err != nil {
		return nil, fmt.Errorf("RATUSZ_DATA_DIR: %v", err)
	} else {
		c.DataDir = abs
	}
	if c.SecretFile == "" {
		c.SecretFile = filepath.Join(c.DataDir, "secret.key")
	}
	if c.DatabaseURL != "" {
		if _, err := pgx.ParseConfig(c.DatabaseURL); err != nil {
			return nil, fmt.Errorf("DATABASE_URL: not a PostgreSQL connection string")
		}
	}
	if c.OIDCIssuer != "" || c.OIDCClientID != "" || c.OIDCClientSecret != "" {
		if _, err := httpURL(c.OIDCIssuer); err != nil {
			return nil, fmt.Errorf("RATUSZ_OIDC_ISSUER: %v", err)
		}
		if c.OIDCClientID == "" {
			return nil, fmt.Errorf("RATUSZ_OIDC_CLIENT_ID: required with RATUSZ_OIDC_ISSUER")
		}
		if c.OIDCClientSecret == "" {
			return nil, fmt.Errorf("RATUSZ_OIDC_CLIENT_SECRET: required with RATUSZ_OIDC_ISSUER")
		}
	}
	if c.SMTPURL != "" {
		u, err := url.Parse(c.SMTPURL)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			return nil, fmt.Errorf("RATUSZ_SMTP_URL: want smtp://[user:pass@]host[:port] or smtps://…")
		}
	}
	if c.MeiliURL != "" {
		if _, err := httpURL(c.MeiliURL); err != nil {
			return nil, fmt.Errorf("MEILI_URL: %v", err)
		}
	} else if c.MeiliAPIKey != "" {
		return nil, fmt.Errorf("MEILI_API_KEY: set without MEILI_URL")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return nil, fmt.Errorf("RATUSZ_LOG_LEVEL: %q is not debug, info, warn or error", c.LogLevel)
	}
	return c, nil
}

func httpURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL", s)
	}
	return u, nil
}

// OIDCEnabled reports whether resident login through OpenID Connect is on.
func (c *Config) OIDCEnabled() bool { return c.OIDCIssuer != "" }

// SecureCookies reports whether the site is served over TLS.
func (c *Config) SecureCookies() bool { return c.BaseURL.Scheme == "https" }

// Secret returns the server's secret from SecretFile, making it (32
// random bytes, readable by the owner only) the first time. It lives
// outside the database, so that a copy of the database alone cannot undo
// what it keys.
func (c *Config) Secret() ([]byte, error) {
	b, err := os.ReadFile(c.SecretFile)
	if errors.Is(err, os.ErrNotExist) {
		b = make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(c.SecretFile), 0o755); err != nil {
			return nil, fmt.Errorf("RATUSZ_SECRET_FILE: %w", err)
		}
		// Written aside, then linked into place: a reader never sees half a
		// key, and of two processes starting at once the first one wins.
		tmp, err := os.CreateTemp(filepath.Dir(c.SecretFile), ".secret-*")
		if err != nil {
			return nil, fmt.Errorf("RATUSZ_SECRET_FILE: %w", err)
		}
		defer os.Remove(tmp.Name())
		if _, err := tmp.Write(b); err != nil {
			tmp.Close()
			return nil, err
		}
		if err := tmp.Sync(); err != nil { // on disk before it is linked into place
			tmp.Close()
			return nil, err
		}
		if err := tmp.Close(); err != nil {
			return nil, err
		}
		if err := os.Link(tmp.Name(), c.SecretFile); errors.Is(err, os.ErrExist) {
			return c.Secret()
		} else if err != nil {
			return nil, fmt.Errorf("RATUSZ_SECRET_FILE: %w", err)
		}
		return b, nil
	}
	if err != nil {
		return nil, fmt.Errorf("RATUSZ_SECRET_FILE: %w", err)
	}
	if len(b) < 32 {
		return nil, fmt.Errorf("RATUSZ_SECRET_FILE: %s holds %d bytes, want at least 32", c.SecretFile, len(b))
	}
	return b, nil
}

// SecretFingerprint is what a database keeps of the secret to recognise it:
// an HMAC of a fixed text under it, from which the secret cannot be had.
func SecretFingerprint(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("ratusz server secret fingerprint v1"))
	return m.Sum(nil)
}
