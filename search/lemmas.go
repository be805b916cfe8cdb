package search

import (
	"strings"
	"sync/atomic"

	"github.com/ratusz/ratusz/internal/morph"
)

// Polish inflects: "znaków poziomych" is "znak poziomy", "ul. Radosnej" is
// "Radosna". With a dictionary, every indexed word also stands for its
// lemmas, in a field of its own that ranks below the words as written, and
// every query word also looks for its lemmas. Without one (a machine with
// no hunspell-pl), search matches the words as written, as before.

var dictionary atomic.Pointer[morph.Dict]

// UseDictionary sets the dictionary both engines lemmatize with.
func UseDictionary(d *morph.Dict) { dictionary.Store(d) }

// LoadDictionary reads the Polish Hunspell dictionary in dir (Debian's
// hunspell-pl: /usr/share/hunspell), folded as the index is, and uses it.
func LoadDictionary(dir string) (*morph.Dict, error) {
	d, err := morph.Open(dir, fold)
	if err == nil {
		UseDictionary(d)
	}
	return d, err
}

// abbreviations are the ones addresses are written with: "ul. Radosnej"
// is found by "ulica Radosna".
var abbreviations = map[string]string{"ul": "ulica", "al": "aleja", "pl": "plac", "os": "osiedle"}

// lemmasOfWord returns a folded word's lemmas other than itself.
func lemmasOfWord(d *morph.Dict, w string) []string {
	var out []string
	if a, ok := abbreviations[w]; ok {
		out = append(out, a)
	}
	known := d.Lemmas(w)
	for _, l := range known {
		if l != w {
			out = append(out, l)
		}
	}
	if len(known) == 0 {
		out = append(out, properAdjective(w)...)
	}
	return out
}

// properAdjective is the base form of a surname or street name declined as
// an adjective that the dictionary does not list (it lists common words):
// "Lewandowskiej" is Lewandowska, "Bytkowskiej" Bytkowska, "Zielińskiego"
// Zieliński. Only the -ski, -cki and -dzki families, which are sure.
func properAdjective(w string) []string {
	for _, e := range adjectiveEndings {
		if stem, ok := strings.CutSuffix(w, e[0]); ok && len(stem) >= 3 {
			return []string{stem + e[1]}
		}
	}
	return nil
}

var adjectiveEndings = [][2]string{
	{"skiej", "ska"}, {"ckiej", "cka"}, {"dzkiej", "dzka"},
	{"skiego", "ski"}, {"ckiego", "cki"}, {"dzkiego", "dzki"},
	{"skiemu", "ski"}, {"ckiemu", "cki"}, {"dzkiemu", "dzki"},
	{"skimi", "ski"}, {"ckimi", "cki"}, {"skich", "ski"}, {"ckich", "cki"},
	{"skim", "ski"}, {"ckim", "cki"},
}

// lemmasOf returns the lemmas of a text's words that differ from the words
// themselves, in the words' order, space-separated; "" with no dictionary.
func lemmasOf(text string) string {
	d := dictionary.Load()
	if d == nil {
		return ""
	}
	var b strings.Builder
	for _, w := range words(text) {
		for _, l := range lemmasOfWord(d, w) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(l)
		}
	}
	return b.String()
}

// queryLemmas returns a query word's lemmas other than itself.
func queryLemmas(w string) []string {
	d := dictionary.Load()
	if d == nil || isDigits(w) {
		return nil
	}
	return lemmasOfWord(d, w)
}

// sharesLemma reports whether a folded text word is a form of one of the
// query's lemmas (for snippets).
func sharesLemma(w string, lemmas map[string]bool) bool {
	if len(lemmas) == 0 {
		return false
	}
	if lemmas[w] {
		return true
	}
	d := dictionary.Load()
	if d == nil {
		return false
	}
	for _, l := range lemmasOfWord(d, w) {
		if lemmas[l] {
			return true
		}
	}
	return false
}
