// Package morph finds the lemmas (base forms) of Polish words from a
// Hunspell dictionary, so that search matches "znaków poziomych" to
// "znak poziomy" and "ul. Radosnej" to "Radosna".
//
// It reads the dictionary as Hunspell does: a word of the .dic file with
// its affix flags, and the .aff file's prefix and suffix rules, each
// stripping and adding letters where a condition on the stem holds. Words
// are not expanded into every form (about four million for Polish): a word
// is stemmed backwards, by undoing each suffix rule whose added letters end
// it and asking whether the stem so found is in the dictionary with that
// rule's flag. Memory is the dictionary's entries (about 300,000) and its
// rules (about 7,000).
//
// Everything is folded first with the caller's fold (lowercase, no
// diacritics, as the search index is), so a query typed without Polish
// letters finds its lemmas as well.
//
// Debian's hunspell-pl (the sjp.pl dictionary; GPL, LGPL, MPL, Apache 2.0
// or CC-SA at the user's choice) is read from /usr/share/hunspell; nothing
// of it is shipped with Ratusz.
package morph

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultDir is where Debian's hunspell-pl puts pl_PL.aff and pl_PL.dic.
const DefaultDir = "/usr/share/hunspell"

// Dict is a loaded dictionary. It is read-only and safe for concurrent use.
type Dict struct {
	words  map[string]string // folded word → its flags
	sfx    map[string][]*rule
	pfx    map[string][]*rule
	maxSfx int // the longest added suffix, in bytes
	maxPfx int
}

// rule is one PFX or SFX line: strip letters, add letters, where cond holds.
type rule struct {
	flag       byte
	strip, add string
	cond       []charClass // for SFX, on the stem's end; for PFX, its start
	cross      bool        // may combine with the other kind
}

// charClass is one position of a condition: a set of letters, or its
// complement, or any letter.
type charClass struct {
	any, not bool
	set      string
}

func (c charClass) matches(r rune) bool {
	if c.any {
		return true
	}
	return strings.ContainsRune(c.set, r) != c.not
}

// Open loads pl_PL.aff and pl_PL.dic from dir.
func Open(dir string, fold func(string) string) (*Dict, error) {
	aff, err := os.Open(filepath.Join(dir, "pl_PL.aff"))
	if err != nil {
		return nil, err
	}
	defer aff.Close()
	dic, err := os.Open(filepath.Join(dir, "pl_PL.dic"))
	if err != nil {
		return nil, err
	}
	defer dic.Close()
	return Load(aff, dic, fold)
}

// Load reads a Hunspell affix file and dictionary, in UTF-8 or ISO-8859-2
// as their SET line says, folding every word and rule with fold.
func Load(aff, dic io.Reader, fold func(string) string) (*Dict, error) {
	d := &Dict{words: map[string]string{}, sfx: map[string][]*rule{}, pfx: map[string][]*rule{}}
	affText, err := io.ReadAll(io.LimitReader(aff, 16<<20))
	if err != nil {
		return nil, err
	}
	latin2 := bytes.Contains(affText, []byte("SET ISO8859-2"))
	decode := func(b []byte) string {
		if latin2 {
			return fromLatin2(b)
		}
		return string(b)
	}
	if err := d.readAffixes(decode(affText), fold); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(dic)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	first := true
	for sc.Scan() {
		line := decode(sc.Bytes())
		if first { // the number of entries
			first = false
			if _, err := strconv.Atoi(strings.TrimSpace(line)); err == nil {
				continue
			}
		}
		word, flags, _ := strings.Cut(strings.TrimSpace(line), "/")
		if word == "" {
			continue
		}
		w := fold(word)
		if old, ok := d.words[w]; ok { // "Dąbrówka" and "dąbrówka": both flag sets
			flags = old + flags
		}
		d.words[w] = flags
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(d.words) == 0 {
		return nil, errors.New("morph: the dictionary has no words")
	}
	return d, nil
}

func (d *Dict) readAffixes(text string, fold func(string) string) error {
	for n, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || (f[0] != "SFX" && f[0] != "PFX") {
			continue // headers ("SFX a Y 6"), other directives, comments
		}
		if len(f[1]) != 1 {
			return fmt.Errorf("morph: line %d: only one-letter flags are read", n+1)
		}
		r := &rule{flag: f[1][0], strip: unzero(fold(f[2])), add: unzero(fold(f[3]))}
		if strings.Contains(f[3], "/") {
			return fmt.Errorf("morph: line %d: affixes with their own flags are not read", n+1)
		}
		cond, err := parseCond(strings.ToLower(f[4]))
		if err != nil {
			return fmt.Errorf("morph: line %d: %w", n+1, err)
		}
		// Folded as the words are; but a negated set keeps out only the
		// letters folding leaves alone: [^ń] must not keep out n.
		for i := range cond {
			var b strings.Builder
			for _, c := range cond[i].set {
				if fc := fold(string(c)); !cond[i].not || fc == string(c) {
					b.WriteString(fc)
				}
			}
			cond[i].set = b.String()
		}
		r.cond = cond
		if f[0] == "SFX" {
			d.sfx[r.add] = append(d.sfx[r.add], r)
			d.maxSfx = max(d.maxSfx, len(r.add))
		} else {
			d.pfx[r.add] = append(d.pfx[r.add], r)
			d.maxPfx = max(d.maxPfx, len(r.add))
		}
	}
	// The header line says whether a rule combines with the other kind.
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 4 && (f[0] == "SFX" || f[0] == "PFX") && len(f[1]) == 1 && f[2] == "Y" {
			for _, m := range []map[string][]*rule{d.sfx, d.pfx} {
				for _, rs := range m {
					for _, r := range rs {
						if r.flag == f[1][0] {
							r.cross = true
						}
					}
				}
			}
		}
	}
	return nil
}

func unzero(s string) string {
	if s == "0" {
		return ""
	}
	return s
}

// parseCond reads a condition: letters, [set], [^set] and '.'.
func parseCond(s string) ([]charClass, error) {
	if s == "." {
		return nil, nil
	}
	var out []charClass
	for i := 0; i < len(s); {
		switch s[i] {
		case '.':
			out = append(out, charClass{any: true})
			i++
		case '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("condition %q: no ]", s)
			}
			set := s[i+1 : i+end]
			c := charClass{}
			if strings.HasPrefix(set, "^") {
				c.not, set = true, set[1:]
			}
			c.set = set
			out = append(out, c)
			i += end + 1
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			out = append(out, charClass{set: string(r)})
			i += n
		}
	}
	return out, nil
}

// condAtEnd reports whether cond holds on the end of stem (a suffix rule).
func condAtEnd(cond []charClass, stem string) bool {
	for i := len(cond) - 1; i >= 0; i-- {
		r, n := utf8.DecodeLastRuneInString(stem)
		if n == 0 || !cond[i].matches(r) {
			return false
		}
		stem = stem[:len(stem)-n]
	}
	return true
}

// condAtStart reports whether cond holds on the start of stem (a prefix).
func condAtStart(cond []charClass, stem string) bool {
	for _, c := range cond {
		r, n := utf8.DecodeRuneInString(stem)
		if n == 0 || !c.matches(r) {
			return false
		}
		stem = stem[n:]
	}
	return true
}

// Lemmas returns the lemmas of a folded word, or nil if the dictionary
// does not know it. A word that is itself an entry is among its lemmas.
// Forms with a prefix ("nie-") keep it in the lemma: "niezgodnych" is
// "niezgodny", not "zgodny".
func (d *Dict) Lemmas(w string) []string {
	if d == nil || w == "" {
		return nil
	}
	var out []string
	add := func(l string) {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	if _, ok := d.words[w]; ok {
		add(w)
	}
	d.unsuffix(w, 0, func(stem string, _ *rule) { add(stem) })
	// A prefix: undo it, then the word is an entry with the prefix's flag,
	// or a suffixed form whose rule and entry both allow the prefix.
	for k := 1; k <= d.maxPfx && k < len(w); k++ {
		for _, p := range d.pfx[w[:k]] {
			rest := p.strip + w[k:]
			if !condAtStart(p.cond, rest) {
				continue
			}
			if flags, ok := d.words[rest]; ok && strings.IndexByte(flags, p.flag) >= 0 {
				add(w[:k] + rest[len(p.strip):])
			}
			if !p.cross {
				continue
			}
			d.unsuffix(rest, p.flag, func(stem string, s *rule) {
				if s.cross {
					add(p.add + stem[len(p.strip):])
				}
			})
		}
	}
	return out
}

// unsuffix calls found for every entry w is a suffixed form of: an entry
// with the rule's flag (and with also, if not 0) whose stem meets the rule's
// condition.
func (d *Dict) unsuffix(w string, also byte, found func(stem string, r *rule)) {
	var buf []byte
	for k := 0; k <= d.maxSfx && k < len(w); k++ {
		rules := d.sfx[w[len(w)-k:]]
		if len(rules) == 0 {
			continue
		}
		for _, r := range rules {
			buf = append(append(buf[:0], w[:len(w)-k]...), r.strip...)
			flags, ok := d.words[string(buf)] // no copy for a lookup
			if !ok || strings.IndexByte(flags, r.flag) < 0 || (also != 0 && strings.IndexByte(flags, also) < 0) {
				continue
			}
			if stem := string(buf); condAtEnd(r.cond, stem) {
				found(stem, r)
			}
		}
	}
}

// Size is the number of entries.
func (d *Dict) Size() int { return len(d.words) }

// fromLatin2 decodes ISO-8859-2.
func fromLatin2(b []byte) string {
	var s strings.Builder
	s.Grow(len(b) + len(b)/8)
	for _, c := range b {
		if c < 0xa0 {
			s.WriteByte(c)
			continue
		}
		s.WriteRune(latin2[c-0xa0])
	}
	return s.String()
}

// latin2 is ISO-8859-2 from 0xA0 on.
var latin2 = []rune("\u00a0Ą˘Ł¤ĽŚ§¨ŠŞŤŹ\u00adŽŻ°ą˛ł´ľśˇ¸šşťź˝žżŔÁÂĂÄĹĆÇČÉĘËĚÍÎĎĐŃŇÓÔŐÖ×ŘŮÚŰÜÝŢßŕáâăäĺćçčéęëěíîďđńňóôőö÷řůúűüýţ˙")
