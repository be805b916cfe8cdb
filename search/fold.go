package search

import (
	"regexp"
	"strings"
	"unicode"
)

// fold lowercases and removes diacritics the way search_fold does in
// PostgreSQL (unaccent), for the letters of Polish and its neighbours.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		if f, ok := foldMap[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var foldMap = func() map[rune]string {
	m := map[rune]string{}
	pairs := []string{
		"ąa", "ćc", "ęe", "łl", "ńn", "óo", "śs", "źz", "żz",
		"áa", "àa", "âa", "äa", "ãa", "åa", "čc", "çc", "ďd", "ée", "èe", "êe", "ëe", "ěe",
		"íi", "ìi", "îi", "ïi", "ľl", "ĺl", "ňn", "ñn", "ôo", "öo", "òo", "õo", "őo", "řr",
		"šs", "ťt", "úu", "ùu", "ûu", "üu", "űu", "ůu", "ýy", "žz", "ğg", "şs",
	}
	for _, p := range pairs {
		r := []rune(p)
		m[r[0]] = string(r[1])
	}
	m['ß'] = "ss"
	return m
}()

// words splits folded text into its alphanumeric words.
func words(s string) []string {
	return strings.FieldsFunc(fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

var numberRe = regexp.MustCompile(`[\p{L}\d]+(?:[/\-.][\p{L}\d]+)+`)

// Numbers returns the identifiers in a text — tokens with a digit joined by
// slashes, hyphens or dots, such as XII/145/2024, DS-89/24, RI-IX/000779 —
// folded, so that numbers pasted into a query match exactly.
func Numbers(s string) []string {
	var out []string
	for _, m := range numberRe.FindAllString(s, -1) {
		if !strings.ContainsAny(m, "0123456789") || !strings.ContainsAny(m, "/-") {
			continue
		}
		out = append(out, fold(m))
	}
	return out
}

// stopwords are left out of the words every result must contain: people
// type "uchwała nr XII/145/2024", and "nr" is rarely in the text.
var stopwords = map[string]bool{"nr": true, "numer": true, "no": true, "w": true, "z": true, "i": true, "na": true, "do": true, "o": true, "oraz": true, "ul": true, "dla": true, "the": true, "of": true, "a": true}

// editDistance1 reports whether a and b differ by at most one insertion,
// deletion, substitution or transposition of adjacent letters.
func editDistance1(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	switch len(ra) - len(rb) {
	case 0:
		diff := -1
		for i := range ra {
			if ra[i] != rb[i] {
				if diff >= 0 {
					// a second difference: only a transposition of neighbours
					return i == diff+1 && ra[diff] == rb[i] && ra[i] == rb[diff] && string(ra[i+1:]) == string(rb[i+1:])
				}
				diff = i
			}
		}
		return true
	case 1:
		i := 0
		for i < len(rb) && ra[i] == rb[i] {
			i++
		}
		return string(ra[i+1:]) == string(rb[i:])
	}
	return false
}
