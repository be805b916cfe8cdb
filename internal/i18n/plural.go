package i18n

import (
	"fmt"
	"strings"
	"time"
)

// Plural forms. A plural message (its key ends in ":n") holds one form per
// plural category of its language, separated by "|": Polish three (1 głos
// | 2–4, 22–24 głosy | 5–21, 25… głosów), English two (1 vote | votes).
// N picks the form for n.

// PluralForms is how many forms a language's plural messages have.
func PluralForms(lang Lang) int {
	if lang == EN {
		return 2
	}
	return 3
}

// pluralIndex is the form of n in lang (CLDR's rules for integers).
func pluralIndex(lang Lang, n int) int {
	if n < 0 {
		n = -n
	}
	if lang == EN {
		if n == 1 {
			return 0
		}
		return 1
	}
	switch {
	case n == 1:
		return 0
	case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
		return 1
	}
	return 2
}

// N translates a plural message for the count n; n is also its first
// argument, followed by args.
func N(lang Lang, key string, n int, args ...any) string {
	m, ok := catalogue[key]
	if !ok {
		return key
	}
	s := m[0]
	if lang == EN {
		s = m[1]
	}
	forms := strings.Split(s, "|")
	s = forms[min(pluralIndex(lang, n), len(forms)-1)]
	return fmt.Sprintf(s, append([]any{n}, args...)...)
}

// Warsaw is the time zone of every date Ratusz shows and publishes.
var Warsaw = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

var monthsPL = [...]string{"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"}

// LongDate writes a day as people write it: "3 grudnia 2026 r.",
// "3 December 2026". t is read in its own location.
func LongDate(lang Lang, t time.Time) string {
	if lang == EN {
		return t.Format("2 January 2006")
	}
	return fmt.Sprintf("%d %s %d r.", t.Day(), monthsPL[t.Month()-1], t.Year())
}

// ShortDate is a day in a dense table: "3.12.2026", "3 Dec 2026".
func ShortDate(lang Lang, t time.Time) string {
	if lang == EN {
		return t.Format("2 Jan 2006")
	}
	return fmt.Sprintf("%d.%02d.%d", t.Day(), int(t.Month()), t.Year())
}

// DateTime is a day and its time: "3 grudnia 2026 r., 18:10",
// "3 December 2026, 18:10".
func DateTime(lang Lang, t time.Time) string {
	if lang == EN {
		return t.Format("2 January 2006, 15:04")
	}
	return LongDate(lang, t) + ", " + t.Format("15:04")
}

// G translates a message about a person in their grammatical gender ("f"
// or "m"): key+".f" or key+".m" where the catalogue has it, else key,
// whose text fits both ("Nie głosował(a)").
func G(lang Lang, key, gender string, args ...any) string {
	if gender != "" && Has(key+"."+gender) {
		key += "." + gender
	}
	return T(lang, key, args...)
}
