package i18n_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ratusz/ratusz/internal/i18n"
)

// Both languages have every key, and the two differ in their arguments
// nowhere.
func TestCatalogueComplete(t *testing.T) {
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	for _, k := range i18n.Keys() {
		pl, en := i18n.Both(k)
		if strings.TrimSpace(pl) == "" || strings.TrimSpace(en) == "" {
			t.Errorf("key %s lacks a translation (pl=%q en=%q)", k, pl, en)
		}
		if strings.HasSuffix(k, ":n") { // plural forms: each has the arguments
			pl, _, _ = strings.Cut(pl, "|")
			en, _, _ = strings.Cut(en, "|")
		}
		if a, b := verbs.FindAllString(pl, -1), verbs.FindAllString(en, -1); strings.Join(a, ",") != strings.Join(b, ",") {
			t.Errorf("key %s: Polish has arguments %v, English %v", k, a, b)
		}
	}
}

// Every key the code and the templates use is in the catalogue.
func TestEveryUsedKeyExists(t *testing.T) {
	root := "../.."
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`\.T "([a-z0-9_.]+)"`),                                             // templates
		regexp.MustCompile(`\.N "([a-z0-9_.]+:n)"`),                                           // plural messages
		regexp.MustCompile(`\.G "([a-z0-9_.]+)"`),                                             // gendered messages (the neutral form)
		regexp.MustCompile(`(?:Errorf|Invalid)\((?:"[^"]*", *|[^"]*)"([a-z]+\.[a-z0-9_.]+)"`), // coded errors (a field may be a path)
		regexp.MustCompile(`Message: +"([a-z]+\.[a-z0-9_.]+)"`),                               // error literals
		regexp.MustCompile(`Title = "([a-z]+\.[a-z0-9_.]+)"`),                                 // page titles
	}
	found := 0
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "data") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, ".html") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, re := range patterns {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				found++
				if !i18n.Has(m[1]) && !strings.HasSuffix(p, "_test.go") {
					t.Errorf("%s uses key %q, which the catalogue lacks", p, m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 50 {
		t.Fatalf("found only %d key uses: the patterns no longer match the code", found)
	}
}

func TestNegotiate(t *testing.T) {
	for header, want := range map[string]i18n.Lang{
		"":                       i18n.PL,
		"en-US,en;q=0.9":         i18n.EN,
		"de-DE,de;q=0.9":         i18n.PL,
		"pl;q=0.5,en;q=0.8":      i18n.EN,
		"en;q=0,pl":              i18n.PL,
		"fr;q=0.9, en-GB;q=0.7,": i18n.EN,
	} {
		if got := i18n.Negotiate(header); got != want {
			t.Errorf("Negotiate(%q) = %s, want %s", header, got, want)
		}
	}
}
