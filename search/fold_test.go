package search

import (
	"slices"
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"Łódź": "lodz", "UCHWAŁA": "uchwala", "Żółć gęślą": "zolc gesla", "Müller": "muller"} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNumbers(t *testing.T) {
	got := Numbers("Uchwała nr XII/145/2024 (druk DS-89/24), interpelacja RI-IX/000779; 2024-2029 a/b")
	want := []string{"xii/145/2024", "ds-89/24", "ri-ix/000779", "2024-2029"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEditDistance1(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"chodnika", "chodnika", true}, {"chodnika", "chodnkia", true}, {"chodnika", "chodika", true},
		{"chodnika", "chodnikaa", true}, {"chodnika", "chidnika", true}, {"chodnika", "chdnka", false},
		{"chodnika", "hcodnkia", false}, {"abc", "abcde", false},
	} {
		if got := editDistance1(c.a, c.b); got != c.want {
			t.Errorf("editDistance1(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func TestPlainMarkdown(t *testing.T) {
	in := "## § 1\n\n**Uchwała** nr XII/145/2024, druk DS-89/24.\n\n| kwota | x |\n|---|---|\n- [link](http://x) _ważne_\n1. Otwarcie\n\ndruk DS\\-89/26, 2027 r\\. 5 \\* 3"
	want := "§ 1 Uchwała nr XII/145/2024, druk DS-89/24. kwota x link ważne Otwarcie druk DS-89/26, 2027 r. 5 * 3"
	if got := plainMarkdown(in); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestSnippetEscapes(t *testing.T) {
	m := matcher{exact: map[string]bool{"lodz": true}}
	got := string(snippet(`<img src=x onerror=alert(1)> Łódź & "Kraków"`, m, 30))
	want := `&lt;img src=x onerror=alert(1)&gt; <mark>Łódź</mark> &amp; &#34;Kraków&#34;`
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// Whatever people type, the query sent to PostgreSQL quotes only letters
// and digits, so no input can change its syntax, and identifiers are found
// in the text as typed.
func FuzzQueryPlan(f *testing.F) {
	for _, s := range []string{"uchwała nr XII/145/2024", "DS-89/24 ", "'); DROP TABLE x; --", "a:* & !b", "zażółć gęślą jaźń", "\xff\xfe", "RI-IX/000779"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		ws, long := queryWords(q)
		near := map[string][]string{}
		for _, w := range long {
			near[w] = []string{w + "a"}
		}
		pl := planOf(q, ws, near)
		for _, op := range []string{"&", "|", "n-1"} {
			ts := pl.tsquery(op)
			for _, part := range strings.Split(ts, "'") {
				if strings.ContainsAny(part, `\`) {
					t.Fatalf("%q gives %q", q, ts)
				}
			}
			if strings.Count(ts, "'")%2 != 0 {
				t.Fatalf("%q gives unbalanced quotes: %q", q, ts)
			}
		}
		for _, n := range pl.numbers {
			if !strings.Contains(fold(q), n) {
				t.Fatalf("number %q is not in %q", n, q)
			}
		}
	})
}

// Snippets read as the text was meant: no space before a comma or a
// closing bracket, none after an opening one.
func TestSnippetSpaces(t *testing.T) {
	m := matcher{exact: map[string]bool{"stanowiacy": true}}
	got := string(snippet("Uchwała budżetowa na rok 2027 , stanowiący ( załącznik nr 1 ) . „ Tak ” !", m, 30))
	want := "Uchwała budżetowa na rok 2027, <mark>stanowiący</mark> (załącznik nr 1). „Tak”!"
	if got != want {
		t.Errorf("snippet:\n got %q\nwant %q", got, want)
	}
}
