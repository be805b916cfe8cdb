package morph

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func lower(s string) string { return strings.ToLower(s) }

// A dictionary in Hunspell's format, small enough to read: nouns of the
// first declension, an adjective, and the "nie-" prefix.
const testAff = `SET UTF-8
PFX b Y 1
PFX b   0     nie     .

SFX N Y 4
SFX N   a     y       [^k]a
SFX N   a     i       ka
SFX N   a     ą       a
SFX N   ka    ce      ka

SFX A Y 3
SFX A   y     ego     y
SFX A   y     ej      y
SFX A   y     ych     y
`

const testDic = `4
Dąbrówka/N
ulica/N
zgodny/Ab
radosny/A
`

func TestLemmas(t *testing.T) {
	d, err := Load(strings.NewReader(testAff), strings.NewReader(testDic), lower)
	if err != nil {
		t.Fatal(err)
	}
	for w, want := range map[string][]string{
		"dąbrówka":    {"dąbrówka"},
		"dąbrówce":    {"dąbrówka"},
		"dąbrówki":    {"dąbrówka"},
		"ulicy":       {"ulica"},
		"ulici":       nil, // "ka" only: the condition holds on the stem
		"radosnej":    {"radosny"},
		"niezgodnych": {"niezgodny"}, // the prefix stays: not "zgodny"
		"niezgodny":   {"niezgodny"},
		"nieradosnej": nil, // radosny has no prefix flag
		"kot":         nil,
	} {
		if got := d.Lemmas(w); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", w, got, want)
		}
	}
}

func TestLoadRefuses(t *testing.T) {
	if _, err := Load(strings.NewReader(testAff), strings.NewReader("0\n"), lower); err == nil {
		t.Error("an empty dictionary was taken")
	}
	if _, err := Load(strings.NewReader("SFX ab Y 1\nSFX ab 0 x .\n"), strings.NewReader("1\nkot/ab\n"), lower); err == nil {
		t.Error("two-letter flags were taken")
	}
}

// Debian's hunspell-pl, as search uses it (folded, so queries typed
// without Polish letters find the same).
func TestPolishDictionary(t *testing.T) {
	fold := strings.NewReplacer("ą", "a", "ć", "c", "ę", "e", "ł", "l", "ń", "n", "ó", "o", "ś", "s", "ź", "z", "ż", "z")
	d, err := Open(DefaultDir, func(s string) string { return fold.Replace(strings.ToLower(s)) })
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("hunspell-pl is required in CI (make test installs it): %v", err)
		}
		t.Skip(err)
	}
	for w, want := range map[string]string{
		"znakow": "znak", "poziomych": "poziomy", "dabrowce": "dabrowka", "malej": "maly",
		"przejscia": "przejscie", "pieszych": "pieszy", "ulicy": "ulica", "radosnej": "radosny",
		"piechoty": "piechota", "budzecie": "budzet", "uchwaly": "uchwala", "sesji": "sesja",
		"krawczyka": "krawczyk", "drzewa": "drzewo",
		"planow": "plan", "placach": "plac", "lasy": "las", "terenow": "teren", // conditions like [^ń] on a folded stem
	} {
		if got := d.Lemmas(w); !slices.Contains(got, want) {
			t.Errorf("%s: %v, want %s among them", w, got, want)
		}
	}
	if got := d.Lemmas("niezgodnych"); slices.Contains(got, "zgodny") {
		t.Errorf("niezgodnych: %v: the negation is lost", got)
	}
	if d.Size() < 250_000 {
		t.Errorf("only %d entries", d.Size())
	}
}

func BenchmarkLemmas(b *testing.B) {
	d, err := Open(DefaultDir, lower)
	if err != nil {
		b.Skip(err)
	}
	ws := strings.Fields("odmalowania znaków poziomych na terenie dzielnicy dąbrówka mała przejścia dla pieszych przy ulicy radosnej")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, w := range ws {
			d.Lemmas(w)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := Open(DefaultDir, lower); err != nil {
			b.Skip(err)
		}
	}
}
