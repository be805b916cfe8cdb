package council_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/testdb"
)

// sharedData opens a file of ../shared/data: tests fail without it in CI.
func sharedData(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "shared", "data", path))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared data required in CI: %v", err)
		}
		t.Skipf("shared data unavailable: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// The Katowice council's 2024–2029 term: after import, every one of the
// 673 votes has exactly the source's counts and named lists.
func TestImportRadoskopKatowice(t *testing.T) {
	t.Parallel()
	f := sharedData(t, "katowice/kadencja-2024-2029.json")
	pool := testdb.New(t)
	s := council.NewService(pool)
	sys := ratusz.NewContextWithActor(context.Background(), ratusz.System)
	rep, err := s.ImportRadoskop(sys, f, "Rada Miasta Katowice", 0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Councillors != 31 || rep.Sessions != 25 || rep.Votes != 673 {
		t.Fatalf("report %+v", rep)
	}
	body, _ := s.BodyByID(sys, rep.BodyID)
	if body.StatutorySize != 28 {
		t.Errorf("statutory size %d, want 28 (the largest attendance)", body.StatutorySize)
	}

	f.Seek(0, 0)
	var src struct {
		Votes []struct {
			Counts map[string]int   `json:"counts"`
			Named  map[string][]int `json:"named_votes"`
		} `json:"votes"`
	}
	if err := json.NewDecoder(f).Decode(&src); err != nil {
		t.Fatal(err)
	}
	rows, _ := pool.Query(sys, "SELECT id FROM votes ORDER BY id")
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) != len(src.Votes) {
		t.Fatalf("%d votes stored, %d in the source", len(ids), len(src.Votes))
	}
	for i, want := range src.Votes {
		v, err := s.Vote(sys, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		got := *v.Counts
		if got.For != want.Counts["za"] || got.Against != want.Counts["przeciw"] || got.Abstain != want.Counts["wstrzymal_sie"] ||
			got.NotVoting != want.Counts["brak_glosu"] || got.Absent != want.Counts["nieobecni"] {
			t.Fatalf("vote %d: counts %+v, source %v", i, got, want.Counts)
		}
		named := map[string]int{}
		for _, b := range v.Ballots {
			named[b.Choice]++
		}
		for key, choice := range map[string]string{"za": "for", "przeciw": "against", "wstrzymal_sie": "abstain", "brak_glosu": "not_voting", "nieobecni": "absent"} {
			if named[choice] != len(want.Named[key]) {
				t.Fatalf("vote %d: %d named %s, source lists %d", i, named[choice], choice, len(want.Named[key]))
			}
		}
	}
	t.Run("ErrTwice", func(t *testing.T) {
		f.Seek(0, 0)
		if _, err := s.ImportRadoskop(sys, f, "Rada Miasta Katowice", 0); ratusz.ErrorCode(err) != ratusz.ECONFLICT {
			t.Fatalf("imported twice: %v", err)
		}
	})
	t.Run("ErrNotRadoskop", func(t *testing.T) {
		if _, err := s.ImportRadoskop(sys, strings.NewReader(`{"votes": []}`), "X", 0); ratusz.ErrorCode(err) != ratusz.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
}
