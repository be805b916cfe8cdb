// Package i18n is the message catalogue: every string people read, in Polish
// first and English second. A key maps to both translations at once, so no
// language can miss a key; a test checks that none is empty and that every
// key the code and templates use exists.
package i18n

import (
	"fmt"
	"strconv"
	"strings"
)

// Lang is a language of the interface.
type Lang string

const (
	PL Lang = "pl"
	EN Lang = "en"
)

// Langs lists the languages, the default first.
var Langs = []Lang{PL, EN}

// Parse returns the language named by s, and whether it is one we have.
func Parse(s string) (Lang, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "pl":
		return PL, true
	case "en":
		return EN, true
	}
	return PL, false
}

// Negotiate picks the language from an Accept-Language header: the highest
// weighted of ours, Polish when there is none.
func Negotiate(header string) Lang {
	best, bestQ := PL, -1.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(tag, "-")
		if l, ok := Parse(primary); ok && q > bestQ && q > 0 {
			best, bestQ = l, q
		}
	}
	return best
}

// T translates key into lang, formatting args into it. An unknown key is
// returned as it is, so a missing translation shows and a test catches it.
func T(lang Lang, key string, args ...any) string {
	m, ok := catalogue[key]
	if !ok {
		return key
	}
	s := m[0]
	if lang == EN {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has reports whether the catalogue has the key.
func Has(key string) bool { _, ok := catalogue[key]; return ok }

// Keys returns every key of the catalogue.
func Keys() []string {
	keys := make([]string, 0, len(catalogue))
	for k := range catalogue {
		keys = append(keys, k)
	}
	return keys
}

// Both returns the Polish and English text of a key.
func Both(key string) (pl, en string) {
	m := catalogue[key]
	return m[0], m[1]
}

// add merges a module's own part of the catalogue (messages_*.go); a key
// defined twice is a programming error.
func add(part map[string][2]string) {
	for k, v := range part {
		if _, dup := catalogue[k]; dup {
			panic("i18n: key defined twice: " + k)
		}
		catalogue[k] = v
	}
}
