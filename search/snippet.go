package search

import (
	"html"
	"html/template"
	"regexp"
	"strings"
	"unicode"
)

// matcher says whether a word of a text matches the query: exactly, by a
// prefix (the word being typed) or by an accepted typo.
type matcher struct {
	exact    map[string]bool
	prefixes []string
	lemmas   map[string]bool // the query words' lemmas: a text word of one matches
}

func (m matcher) match(folded string) bool {
	if m.exact[folded] || sharesLemma(folded, m.lemmas) {
		return true
	}
	for _, p := range m.prefixes {
		if strings.HasPrefix(folded, p) {
			return true
		}
	}
	return false
}

// spaceBefore and spaceAfter are spaces that Polish (and English) do not
// put before closing punctuation or after an opening bracket; text made
// from Markdown or joined fields has them.
var (
	spaceBefore = regexp.MustCompile(` +([,.;:!?)\]”])`)
	spaceAfter  = regexp.MustCompile(`([(\[„]) +`)
)

// snippet returns about n words of text around the first matched word as
// HTML: the text is escaped, and only the <mark> elements are ours.
func snippet(text string, m matcher, n int) template.HTML {
	text = strings.Join(strings.Fields(text), " ")
	text = spaceBefore.ReplaceAllString(spaceAfter.ReplaceAllString(text, "$1"), "$1") // "2027 , stanowiący" → "2027, stanowiący"
	if text == "" {
		return ""
	}
	type tok struct {
		s    string
		word bool
	}
	var toks []tok
	var cur []rune
	var inWord bool
	flush := func() {
		if len(cur) > 0 {
			toks = append(toks, tok{string(cur), inWord})
			cur = cur[:0]
		}
	}
	for _, r := range text {
		w := unicode.IsLetter(r) || unicode.IsDigit(r)
		if w != inWord {
			flush()
			inWord = w
		}
		cur = append(cur, r)
	}
	flush()
	// Each distinct word is looked up once, and only up to the first match;
	// words are marked in the window shown only.
	seen := map[string]bool{}
	matches := func(i int) bool {
		if !toks[i].word {
			return false
		}
		f := fold(toks[i].s)
		ok, known := seen[f]
		if !known {
			ok = m.match(f)
			seen[f] = ok
		}
		return ok
	}
	first := -1
	for i := range toks {
		if matches(i) {
			first = i
			break
		}
	}
	// Tokens alternate word/separator: n words are about 2n tokens.
	start := 0
	if first > n/2 {
		start = first - n/2
	}
	end := start + 2*n
	if end > len(toks) {
		end = len(toks)
		if end-2*n > 0 && first >= 0 {
			start = end - 2*n
		}
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString("… ")
	}
	for i := start; i < end; i++ {
		if matches(i) {
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(toks[i].s))
			b.WriteString("</mark>")
		} else {
			b.WriteString(html.EscapeString(toks[i].s))
		}
	}
	if end < len(toks) {
		b.WriteString(" …")
	}
	return template.HTML(strings.TrimSpace(b.String()))
}

// namedBallots picks from a vote's named list ("Name: choice; …") the
// ballots of the councillors a query names: "krawczyk budżet" gives
// "Danuta Krawczyk: za".
func namedBallots(list string, m matcher) []string {
	if list == "" {
		return nil
	}
	var out []string
	for _, entry := range strings.Split(strings.TrimSuffix(strings.TrimSpace(list), "."), "; ") {
		name, _, ok := strings.Cut(entry, ": ")
		if !ok {
			continue
		}
		for _, w := range words(name) {
			if m.exact[w] || sharesLemma(w, m.lemmas) {
				out = append(out, strings.TrimSpace(entry))
				break
			}
		}
	}
	if len(out) > 3 { // a common first name, not a person
		return nil
	}
	return out
}
