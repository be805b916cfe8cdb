package i18n

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestPluralForms(t *testing.T) {
	for _, c := range []struct {
		n      int
		pl, en int
	}{{0, 2, 1}, {1, 0, 0}, {2, 1, 1}, {4, 1, 1}, {5, 2, 1}, {11, 2, 1}, {12, 2, 1}, {14, 2, 1}, {21, 2, 1}, {22, 1, 1}, {24, 1, 1}, {25, 2, 1}, {101, 2, 1}, {102, 1, 1}, {112, 2, 1}} {
		if got := pluralIndex(PL, c.n); got != c.pl {
			t.Errorf("pl %d: form %d, want %d", c.n, got, c.pl)
		}
		if got := pluralIndex(EN, c.n); got != c.en {
			t.Errorf("en %d: form %d, want %d", c.n, got, c.en)
		}
	}
	// Every plural message has all its forms in both languages.
	for k, m := range catalogue {
		if strings.HasSuffix(k, ":n") {
			if n := strings.Count(m[0], "|") + 1; n != PluralForms(PL) {
				t.Errorf("%s: %d Polish forms, want %d", k, n, PluralForms(PL))
			}
			if n := strings.Count(m[1], "|") + 1; n != PluralForms(EN) {
				t.Errorf("%s: %d English forms, want %d", k, n, PluralForms(EN))
			}
		}
	}
	if got := LongDate(PL, time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)); got != "3 grudnia 2026 r." {
		t.Errorf("LongDate pl: %q", got)
	}
	if got := LongDate(EN, time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)); got != "3 December 2026" {
		t.Errorf("LongDate en: %q", got)
	}
}

// Every form of a plural message has the same arguments.
func TestPluralFormsAgree(t *testing.T) {
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	for k, m := range catalogue {
		if !strings.HasSuffix(k, ":n") {
			continue
		}
		var first string
		for _, form := range append(strings.Split(m[0], "|"), strings.Split(m[1], "|")...) {
			args := strings.Join(verbs.FindAllString(form, -1), ",")
			if first == "" {
				first = args
			} else if args != first {
				t.Errorf("%s: form %q has arguments %s, the first %s", k, form, args, first)
			}
		}
	}
}
