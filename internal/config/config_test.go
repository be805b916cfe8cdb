package config_test

import (
	"strings"
	"testing"

	"github.com/ratusz/ratusz/internal/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c, err := config.Load(env(nil))
		if err != nil {
			t.Fatal(err)
		}
		if c.Addr != "127.0.0.1:8080" || c.BaseURL.String() != "http://127.0.0.1:8080" || c.DatabaseURL != "" {
			t.Fatalf("defaults: %+v", c)
		}
		if c.OIDCEnabled() || c.SecureCookies() {
			t.Fatal("OIDC and Secure cookies must be off by default")
		}
	})
	bad := map[string]map[string]string{
		"RATUSZ_ADDR":               {"RATUSZ_ADDR": "8080"},
		"RATUSZ_BASE_URL":           {"RATUSZ_BASE_URL": "ftp://x"},
		"DATABASE_URL":              {"DATABASE_URL": "postgres://a b:%zz@"},
		"RATUSZ_OIDC_CLIENT_ID":     {"RATUSZ_OIDC_ISSUER": "https://id.example", "RATUSZ_OIDC_CLIENT_SECRET": "s"},
		"RATUSZ_OIDC_ISSUER":        {"RATUSZ_OIDC_CLIENT_ID": "c", "RATUSZ_OIDC_CLIENT_SECRET": "s"},
		"RATUSZ_OIDC_CLIENT_SECRET": {"RATUSZ_OIDC_ISSUER": "https://id.example", "RATUSZ_OIDC_CLIENT_ID": "c"},
		"RATUSZ_SMTP_URL":           {"RATUSZ_SMTP_URL": "mail.example:25"},
		"MEILI_URL":                 {"MEILI_URL": "localhost:7700"},
		"MEILI_API_KEY":             {"MEILI_API_KEY": "k"},
		"RATUSZ_LOG_LEVEL":          {"RATUSZ_LOG_LEVEL": "loud"},
	}
	for name, vars := range bad {
		t.Run("Err"+name, func(t *testing.T) {
			_, err := config.Load(env(vars))
			if err == nil || !strings.HasPrefix(err.Error(), name+":") {
				t.Fatalf("error %v does not name %s", err, name)
			}
		})
	}
}
