package pabulib

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const small = "\ufeffMETA\r\n" +
	"key;value\r\n" +
	"description;Small PB\r\n" +
	"budget;1000.50\r\n" +
	"vote_type;cumulative\r\n" +
	"rule;greedy\r\n" +
	"comment;#1: a; b\r\n" +
	"PROJECTS\r\n" +
	"project_id;cost;votes;score;name;selected\r\n" +
	"a;500;2;5;\"Park \"\"Pod Dębami\"\"; etap I\";1\r\n" +
	"b;400.5;1;3;Ławki;1\r\n" +
	"c;700,25;1;1;\"Dwie\nlinie\";0\r\n" +
	"\r\n" +
	"VOTES\r\n" +
	"voter_id;vote;points;age\r\n" +
	"v1;a,b;2,3;34\r\n" +
	"v2;a, c;3,1;\r\n" +
	"v3;;;71\r\n"

func TestParsePabulib(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		in, err := Parse(strings.NewReader(small))
		if err != nil {
			t.Fatal(err)
		}
		// Amounts keep their decimals exactly: grosze here.
		if in.Scale != 2 || in.Budget != 100050 {
			t.Errorf("budget %d at scale %d, want 100050 at 2", in.Budget, in.Scale)
		}
		if got := []int64{in.Projects[0].Cost, in.Projects[1].Cost, in.Projects[2].Cost}; !reflect.DeepEqual(got, []int64{50000, 40050, 70025}) {
			t.Errorf("costs %v", got)
		}
		if in.VoteType != Cumulative {
			t.Errorf("vote type %q", in.VoteType)
		}
		if v, _ := in.MetaValue("comment"); v != "#1: a; b" {
			t.Errorf("comment %q: an unquoted value keeps its semicolons", v)
		}
		if got := in.ProjectField(0, "name"); got != `Park "Pod Dębami"; etap I` {
			t.Errorf("quoted name %q", got)
		}
		if got := in.ProjectField(2, "name"); got != "Dwie\nlinie" {
			t.Errorf("name over two lines %q", got)
		}
		if len(in.Ballots) != 3 {
			t.Fatalf("%d ballots", len(in.Ballots))
		}
		b := in.Ballots[1]
		if b.VoterID != "v2" || !reflect.DeepEqual(b.Projects, []int32{0, 2}) || !reflect.DeepEqual(b.Points, []int64{3, 1}) || !reflect.DeepEqual(b.Extra, []string{""}) {
			t.Errorf("ballot v2: %+v", b)
		}
		if b := in.Ballots[2]; len(b.Projects) != 0 || b.Extra[0] != "71" {
			t.Errorf("empty ballot v3: %+v", b)
		}
		if got, _ := in.Selected(); !reflect.DeepEqual(got, []string{"a", "b"}) {
			t.Errorf("selected %v", got)
		}
	})

	// Malformed files fail with the line and the section at fault.
	for _, c := range []struct {
		name, file, want string
	}{
		{"ErrNoMeta", "PROJECTS\nproject_id;cost\n", "section PROJECTS before META"},
		{"ErrTextBeforeMeta", "hello\nMETA\n", "line 1: expected META"},
		{"ErrMetaHeader", "META\nfoo;bar\n", "line 2 (META): header must be key;value"},
		{"ErrNoVotes", "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;5\n", "no VOTES section"},
		{"ErrNoBudget", "META\nkey;value\nvote_type;approval\nPROJECTS\nproject_id;cost\na;5\nVOTES\nvoter_id;vote\n", "(META): no budget"},
		{"ErrVoteType", "META\nkey;value\nvote_type;borda\n", "line 3 (META): unknown vote_type \"borda\""},
		{"ErrBadCost", "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;5\nb;ten\nVOTES\nvoter_id;vote\n", "line 8 (PROJECTS): cost \"ten\""},
		{"ErrNegativeBudget", "META\nkey;value\nbudget;-10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;5\nVOTES\nvoter_id;vote\n", "line 3 (META): budget \"-10\""},
		{"ErrFieldCount", "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost;name\na;5\n", "line 7 (PROJECTS): 2 fields, but the header on line 6 has 3"},
		{"ErrNoCostColumn", "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;name\n", "line 6 (PROJECTS): header must name project_id and cost"},
		{"ErrDuplicateProject", "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;5\na;6\n", "line 8 (PROJECTS): project \"a\" appears twice"},
		{"ErrUnknownProject", "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;5\nVOTES\nvoter_id;vote\n1;a\n2;a,z\n", "line 11 (VOTES): vote for project \"z\", which PROJECTS does not list"},
		{"ErrTwiceInVote", "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;5\nVOTES\nvoter_id;vote\n1;a,a\n", "line 10 (VOTES): project \"a\" twice in one vote"},
		{"ErrPointsCount", "META\nkey;value\nbudget;10\nvote_type;cumulative\nPROJECTS\nproject_id;cost\na;5\nb;5\nVOTES\nvoter_id;vote;points\n1;a,b;3\n", "line 11 (VOTES): 1 points for 2 projects"},
		{"ErrNoPointsColumn", "META\nkey;value\nbudget;10\nvote_type;scoring\nPROJECTS\nproject_id;cost\na;5\nVOTES\nvoter_id;vote\n", "line 9 (VOTES): scoring ballots need a points column"},
		{"ErrUnterminatedQuote", "META\nkey;value\ndescription;\"open\n", "line 3 (META): quoted field does not end"},
		{"ErrSectionTwice", "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\nVOTES\n", "line 9 (VOTES): section VOTES appears twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(c.file))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want a *ParseError", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to say %q", err, c.want)
			}
		})
	}
}

func TestAmounts(t *testing.T) {
	for _, c := range []struct {
		s     string
		scale int
		want  int64
		err   bool
	}{
		{"1000000", 0, 1000000, false},
		{"1000000.0", 0, 1000000, false},
		{"1000000.00", 2, 100000000, false},
		{"1250,5", 2, 125050, false},
		{".5", 1, 5, false},
		{"12.345", 2, 0, true},
		{"1e6", 0, 0, true},
		{"", 0, 0, true},
		{"99999999999999999999", 0, 0, true},
	} {
		got, err := ParseAmount(c.s, c.scale)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("ParseAmount(%q, %d) = %d, %v", c.s, c.scale, got, err)
		}
		if err == nil {
			if back, _ := ParseAmount(FormatAmount(got, c.scale), c.scale); back != got {
				t.Errorf("FormatAmount(%d, %d) = %q does not read back", got, c.scale, FormatAmount(got, c.scale))
			}
		}
	}
	if got := FormatAmount(125050, 2); got != "1250.5" {
		t.Errorf("FormatAmount(125050, 2) = %q", got)
	}
	if got := FormatAmount(5, 3); got != "0.005" {
		t.Errorf("FormatAmount(5, 3) = %q", got)
	}
}

// Writing and reading again gives the same instance, for the small file and
// for every shared pabulib file.
func TestPabulibRoundTrip(t *testing.T) {
	check := func(t *testing.T, in *Instance) {
		t.Helper()
		var buf bytes.Buffer
		if err := in.Write(&buf); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(&buf)
		if err != nil {
			t.Fatalf("reading what was written: %v", err)
		}
		again.index, in.index = nil, nil
		if !reflect.DeepEqual(in, again) {
			t.Errorf("the instance read back differs")
			for i := range in.Ballots {
				if !reflect.DeepEqual(in.Ballots[i], again.Ballots[i]) {
					t.Errorf("first difference: ballot %d: %+v, read back %+v", i, in.Ballots[i], again.Ballots[i])
					break
				}
			}
		}
	}
	t.Run("Small", func(t *testing.T) {
		in, err := Parse(strings.NewReader(small))
		if err != nil {
			t.Fatal(err)
		}
		check(t, in)
	})
	t.Run("Exclusions", func(t *testing.T) {
		in, err := Parse(strings.NewReader(small))
		if err != nil {
			t.Fatal(err)
		}
		in.Exclusions = []Exclusion{{Projects: []string{"a", "c"}, Retained: "c"}}
		var buf bytes.Buffer
		if err := in.Write(&buf); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "comment;\"#1: a; b #2: Mutually exclusive projects a, c. The office retained project c.\"") {
			t.Errorf("exclusions are not stated in the comment:\n%s", buf.String())
		}
		again, err := Parse(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(again.Exclusions, in.Exclusions) {
			t.Errorf("exclusions read back %+v", again.Exclusions)
		}
		check(t, again)
	})
	for _, path := range pabulibFiles(t) {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".pb"), func(t *testing.T) {
			check(t, parseFile(t, path))
		})
	}
}

func TestExclusionsFromComment(t *testing.T) {
	path := pabulibFile(t, "Poland_Warszawa_2021_Ursynow.pb")
	in := parseFile(t, path)
	want := []Exclusion{{Projects: []string{"459", "1687", "2150"}, Retained: "2150"}}
	if !reflect.DeepEqual(in.Exclusions, want) {
		t.Errorf("exclusions %+v, want %+v", in.Exclusions, want)
	}
	// Other comments state none.
	for _, name := range []string{"Poland_Warszawa_2020_Praga-Poludnie.pb", "Poland_Lodz_2023.pb", "Poland_Poznan_2023_9_-_Stare_Miasto.pb"} {
		if in := parseFile(t, pabulibFile(t, name)); len(in.Exclusions) != 0 {
			t.Errorf("%s: exclusions %+v from a comment that states none", name, in.Exclusions)
		}
	}
	if got := ExclusionsFromComment("#1: Projects A-1 and B-2 are mutually exclusive."); !reflect.DeepEqual(got, []Exclusion{{Projects: []string{"A-1", "B-2"}}}) {
		t.Errorf("two projects: %+v", got)
	}
}

func BenchmarkParsePabulib(b *testing.B) {
	data, err := os.ReadFile(pabulibFile(b, "Poland_Warszawa_2026.pb"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
