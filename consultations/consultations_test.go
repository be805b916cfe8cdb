package consultations_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/consultations"
	"github.com/ratusz/ratusz/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func wantCode(t *testing.T, err error, code, field string) {
	t.Helper()
	if ratusz.ErrorCode(err) != code || ratusz.ErrorField(err) != field {
		t.Fatalf("got %v (code %s, field %q), want code %s field %q", err, ratusz.ErrorCode(err), ratusz.ErrorField(err), code, field)
	}
}

type fixture struct {
	pool    *pgxpool.Pool
	s       *consultations.Service
	officer context.Context
}

func newFixture(t *testing.T) *fixture {
	pool := testdb.New(t)
	f := &fixture{pool: pool, s: consultations.NewService(pool)}
	f.officer = f.user(t, "Piotr Dąbrowski", false, ratusz.RoleConsultationOfficer)
	return f
}

// user adds an account and returns a context acting as it.
func (f *fixture) user(t *testing.T, name string, verified bool, roles ...ratusz.Role) context.Context {
	t.Helper()
	var id int64
	rs := make([]string, len(roles))
	for i, r := range roles {
		rs[i] = string(r)
	}
	if err := f.pool.QueryRow(context.Background(), "INSERT INTO users (name, roles, verified) VALUES ($1, $2, $3) RETURNING id", name, rs, verified).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return ratusz.NewContextWithActor(context.Background(), ratusz.Actor{UserID: id, Name: name, Roles: roles, Verified: verified})
}

var survey = []consultations.Question{
	{ID: "q1", Type: "single", Text: "Czy popierasz projekt?", Options: []string{"Tak", "Nie"}, Required: true},
	{ID: "q2", Type: "multiple", Text: "Co jest najważniejsze?", Options: []string{"A", "B", "C"}, MaxChoices: 2},
	{ID: "q3", Type: "scale", Text: "Ocena", Min: 1, Max: 5, ShowIf: &consultations.Condition{Question: "q1", Equals: "Tak"}},
	{ID: "q4", Type: "text", Text: "Uwagi"},
	{ID: "q5", Type: "ranking", Text: "Kolejność", Options: []string{"X", "Y"}},
	{ID: "q6", Type: "matrix", Text: "Oceń", Rows: []string{"Park", "Droga"}, Options: []string{"dobrze", "źle"}},
}

func (f *fixture) open(t *testing.T, eligibility string) *consultations.Consultation {
	t.Helper()
	now := time.Now()
	c, err := f.s.Create(f.officer, consultations.Input{Title: "Plan zagospodarowania", Description: "Opis **ważny**", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(24 * time.Hour),
		Eligibility: eligibility, Questions: survey})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = f.s.Open(f.officer, c.ID); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCreateValidates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	now := time.Now()
	ok := consultations.Input{Title: "T", StartsAt: now, EndsAt: now.Add(time.Hour)}
	for name, tc := range map[string]struct {
		mod   func(in *consultations.Input)
		field string
	}{
		"NoTitle":     {func(in *consultations.Input) { in.Title = " " }, "title"},
		"EndsFirst":   {func(in *consultations.Input) { in.EndsAt = now.Add(-time.Hour) }, "ends_at"},
		"Eligibility": {func(in *consultations.Input) { in.Eligibility = "all" }, "eligibility"},
		"OneOption": {func(in *consultations.Input) {
			in.Questions = []consultations.Question{{ID: "q1", Type: "single", Text: "x", Options: []string{"a"}}}
		}, "q1"},
		"BadType": {func(in *consultations.Input) {
			in.Questions = []consultations.Question{{ID: "q1", Type: "essay", Text: "x"}}
		}, "q1"},
		"LaterCondition": {func(in *consultations.Input) {
			in.Questions = []consultations.Question{{ID: "q1", Type: "text", Text: "x", ShowIf: &consultations.Condition{Question: "q2", Equals: "Tak"}}}
		}, "q1"},
		"ScaleBackwards": {func(in *consultations.Input) {
			in.Questions = []consultations.Question{{ID: "q1", Type: "scale", Text: "x", Min: 5, Max: 1}}
		}, "q1"},
	} {
		t.Run("Err"+name, func(t *testing.T) {
			in := ok
			tc.mod(&in)
			_, err := f.s.Create(f.officer, in)
			wantCode(t, err, ratusz.EINVALID, tc.field)
		})
	}
	t.Run("ErrResident", func(t *testing.T) {
		_, err := f.s.Create(f.user(t, "Jan", false, ratusz.RoleResident), ok)
		wantCode(t, err, ratusz.EFORBIDDEN, "")
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		_, err := f.s.Create(context.Background(), ok)
		wantCode(t, err, ratusz.EUNAUTHORIZED, "")
	})
	var n int
	f.pool.QueryRow(context.Background(), "SELECT count(*) FROM consultations").Scan(&n)
	if n != 0 {
		t.Fatalf("%d consultations stored by refused requests", n)
	}
}

func TestRespond(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.open(t, consultations.Residents)
	jan := f.user(t, "Jan", false, ratusz.RoleResident)
	full := map[string]any{"q1": "Tak", "q2": []any{"A", "B"}, "q3": float64(4), "q4": "tekst", "q5": []any{"Y", "X"}, "q6": map[string]any{"Park": "dobrze"}}
	for name, tc := range map[string]struct {
		mod   map[string]any
		field string
	}{
		"NotOffered":    {map[string]any{"q1": "Może"}, "q1"},
		"TooMany":       {map[string]any{"q2": []any{"A", "B", "C"}}, "q2"},
		"ScaleRange":    {map[string]any{"q3": float64(6)}, "q3"},
		"ScaleFraction": {map[string]any{"q3": 2.5}, "q3"},
		"Required":      {map[string]any{"q1": nil}, "q1"},
		"Unknown":       {map[string]any{"q9": "x"}, "q9"},
		"RankPartly":    {map[string]any{"q5": []any{"X"}}, "q5"},
		"MatrixRow":     {map[string]any{"q6": map[string]any{"Las": "dobrze"}}, "q6"},
	} {
		t.Run("Err"+name, func(t *testing.T) {
			a := map[string]any{}
			for k, v := range full {
				a[k] = v
			}
			for k, v := range tc.mod {
				if v == nil {
					delete(a, k)
				} else {
					a[k] = v
				}
			}
			_, err := f.s.Respond(jan, c.ID, consultations.Respondent{}, a, false)
			wantCode(t, err, ratusz.EINVALID, tc.field)
		})
	}
	var n int
	f.pool.QueryRow(context.Background(), "SELECT count(*) FROM consultation_responses").Scan(&n)
	if n != 0 {
		t.Fatal("a refused response was stored")
	}
	t.Run("ErrAnonymous", func(t *testing.T) {
		_, err := f.s.Respond(context.Background(), c.ID, consultations.Respondent{Browser: strings.Repeat("x", 32)}, full, false)
		wantCode(t, err, ratusz.EUNAUTHORIZED, "")
	})
	t.Run("OK", func(t *testing.T) {
		if _, err := f.s.Respond(jan, c.ID, consultations.Respondent{}, full, false); err != nil {
			t.Fatal(err)
		}
		_, err := f.s.Respond(jan, c.ID, consultations.Respondent{}, full, false)
		wantCode(t, err, ratusz.ECONFLICT, "")
		// A hidden question's answer is dropped: q3 shows only for "Tak".
		change := map[string]any{"q1": "Nie", "q3": float64(5)}
		got, err := f.s.Respond(jan, c.ID, consultations.Respondent{}, change, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := got["q3"]; ok || got["q1"] != "Nie" {
			t.Fatalf("changed answers: %v", got)
		}
		mine, _ := f.s.Mine(jan, c, consultations.Respondent{})
		if mine["q1"] != "Nie" || len(mine) != 1 {
			t.Fatalf("mine: %v", mine)
		}
	})
	t.Run("ErrQuestionsFrozen", func(t *testing.T) {
		_, err := f.s.SetQuestions(f.officer, c.ID, survey[:1])
		wantCode(t, err, ratusz.ECONFLICT, "")
	})
	t.Run("ErrResultsNotYetPublic", func(t *testing.T) {
		cc, _ := f.s.ByID(jan, c.ID)
		_, err := f.s.Results(jan, cc)
		wantCode(t, err, ratusz.EFORBIDDEN, "")
	})
}

func TestVerifiedAndOpen(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v := f.open(t, consultations.Verified)
	answers := map[string]any{"q1": "Tak"}
	_, err := f.s.Respond(f.user(t, "Ewa", false, ratusz.RoleResident), v.ID, consultations.Respondent{}, answers, false)
	wantCode(t, err, ratusz.EFORBIDDEN, "")
	if _, err := f.s.Respond(f.user(t, "Ola", true, ratusz.RoleResident), v.ID, consultations.Respondent{}, answers, false); err != nil {
		t.Fatal(err)
	}
	o := f.open(t, consultations.Open)
	browser := consultations.Respondent{Browser: strings.Repeat("a", 43)}
	if _, err := f.s.Respond(context.Background(), o.ID, browser, answers, false); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Respond(context.Background(), o.ID, browser, answers, false)
	wantCode(t, err, ratusz.ECONFLICT, "")
	if _, err := f.s.Respond(context.Background(), o.ID, consultations.Respondent{Browser: strings.Repeat("b", 43)}, answers, false); err != nil {
		t.Fatal(err)
	}
	var hashes int
	f.pool.QueryRow(context.Background(), "SELECT count(*) FROM consultation_responses WHERE browser_hash IS NOT NULL AND length(browser_hash) = 32").Scan(&hashes)
	if hashes != 2 {
		t.Fatalf("%d browser responses stored as hashes", hashes)
	}
}

func TestEndedTakesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.open(t, consultations.Residents)
	f.pool.Exec(context.Background(), "UPDATE consultations SET ends_at = now() - interval '1 minute' WHERE id = $1", c.ID)
	jan := f.user(t, "Jan", false, ratusz.RoleResident)
	_, err := f.s.Respond(jan, c.ID, consultations.Respondent{}, map[string]any{"q1": "Tak"}, false)
	wantCode(t, err, ratusz.ECONFLICT, "")
	_, err = f.s.AddRemark(jan, c.ID, consultations.Respondent{}, consultations.RemarkInput{Body: "za późno"})
	wantCode(t, err, ratusz.ECONFLICT, "")
	// After the end the results are public, though not yet formally closed.
	c, _ = f.s.ByID(jan, c.ID)
	if _, err := f.s.Results(jan, c); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentResponders(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.open(t, consultations.Residents)
	const n = 50
	people := make([]context.Context, n)
	for i := range people {
		people[i] = f.user(t, fmt.Sprintf("Mieszkaniec %d", i), false, ratusz.RoleResident)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range people {
		for range 2 { // each answers twice at once: one is stored, one refused
			wg.Go(func() {
				choice := []string{"Tak", "Nie"}[i%2]
				_, err := f.s.Respond(people[i], c.ID, consultations.Respondent{}, map[string]any{"q1": choice}, false)
				errs <- err
			})
		}
	}
	wg.Wait()
	close(errs)
	conflicts := 0
	for err := range errs {
		if ratusz.ErrorCode(err) == ratusz.ECONFLICT {
			conflicts++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if conflicts != n {
		t.Fatalf("%d conflicts, want %d", conflicts, n)
	}
	res, err := f.s.Results(f.officer, c)
	if err != nil {
		t.Fatal(err)
	}
	if res.Responses != n || res.Questions[0].Options[0].Count != n/2 || res.Questions[0].Options[0].Percent != 50 {
		t.Fatalf("results: %d responses, %+v", res.Responses, res.Questions[0].Options)
	}
}

func TestRemarksModerationAndReport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	now := time.Now()
	c, err := f.s.Create(f.officer, consultations.Input{Title: "Studium", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour), Questions: survey})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := f.s.AddDocument(f.officer, c.ID, "projekt.pdf", []byte("%PDF-1.4\n1 0 obj\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c, err = f.s.Open(f.officer, c.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.AddDocument(f.officer, c.ID, "late.pdf", []byte("%PDF-1.4\n"))
	wantCode(t, err, ratusz.ECONFLICT, "")
	ann, err := bip.NewService(f.pool).Current(f.officer, *c.AnnouncementID)
	if err != nil || len(ann.Attachments) != 1 || ann.Category.Slug != "konsultacje" {
		t.Fatalf("announcement: %v %+v", err, ann)
	}

	xss := `<script>alert(1)</script><img src=x onerror=alert(2)>`
	jan := f.user(t, "Jan", false, ratusz.RoleResident)
	if _, err := f.s.Respond(jan, c.ID, consultations.Respondent{}, map[string]any{"q1": "Tak", "q4": xss}, false); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.AddRemark(jan, c.ID, consultations.Respondent{}, consultations.RemarkInput{Document: doc.ID + 100, Body: "x"})
	wantCode(t, err, ratusz.EINVALID, "document")
	_, err = f.s.AddRemark(jan, c.ID, consultations.Respondent{}, consultations.RemarkInput{Body: "  "})
	wantCode(t, err, ratusz.EINVALID, "body")
	rem, err := f.s.AddRemark(jan, c.ID, consultations.Respondent{}, consultations.RemarkInput{Document: doc.ID, Section: "§ 3", Body: xss})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Close(f.officer, c.ID)
	wantCode(t, err, ratusz.ECONFLICT, "") // the remark is unanswered
	_, err = f.s.AnswerRemark(f.officer, c.ID, rem.ID, "rejected", "")
	wantCode(t, err, ratusz.EINVALID, "justification")
	_, err = f.s.AnswerRemark(jan, c.ID, rem.ID, "accepted", "")
	wantCode(t, err, ratusz.EFORBIDDEN, "")
	if _, err := f.s.AnswerRemark(f.officer, c.ID, rem.ID, "partly", "Uwzględniono w § 3 ust. 2."); err != nil {
		t.Fatal(err)
	}
	// The text answer shows in results only once approved.
	texts, _ := f.s.TextAnswers(f.officer, c)
	if len(texts) != 1 || texts[0].Visible != nil {
		t.Fatalf("texts: %+v", texts)
	}
	res, _ := f.s.Results(f.officer, c)
	if len(res.Questions[3].Texts) != 0 {
		t.Fatal("an unmoderated text is in the results")
	}
	if err := f.s.Moderate(f.officer, c.ID, texts[0].ResponseID, "q4", true); err != nil {
		t.Fatal(err)
	}
	if c, err = f.s.Close(f.officer, c.ID); err != nil {
		t.Fatal(err)
	}
	if c.State != "closed" || c.ReportID == nil || c.EndsAt.After(time.Now()) {
		t.Fatalf("closed: %+v", c)
	}
	rep, err := bip.NewService(f.pool).Current(f.officer, *c.ReportID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Liczba odpowiedzi na ankietę: 1", "projekt.pdf, § 3", "uwzględniona częściowo", "&lt;script&gt;alert(1)&lt;/script&gt;"} {
		if !strings.Contains(rep.BodyHTML, want) {
			t.Errorf("report lacks %q:\n%s", want, rep.BodyHTML)
		}
	}
	if strings.Contains(rep.BodyHTML, "<script") || strings.Contains(rep.BodyHTML, "<img") {
		t.Fatalf("report interprets HTML:\n%s", rep.BodyHTML)
	}
	_, err = f.s.AnswerRemark(f.officer, c.ID, rem.ID, "accepted", "")
	wantCode(t, err, ratusz.ECONFLICT, "")
}

func TestCloseBeforeStart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	now := time.Now()
	c, err := f.s.Create(f.officer, consultations.Input{Title: "Później", StartsAt: now.Add(24 * time.Hour), EndsAt: now.Add(48 * time.Hour), Questions: survey[:1]})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = f.s.Open(f.officer, c.ID); err != nil {
		t.Fatal(err)
	}
	jan := f.user(t, "Jan", false, ratusz.RoleResident)
	_, err = f.s.Respond(jan, c.ID, consultations.Respondent{}, map[string]any{"q1": "Tak"}, false)
	wantCode(t, err, ratusz.ECONFLICT, "") // not yet
	_, err = f.s.Close(f.officer, c.ID)
	wantCode(t, err, ratusz.ECONFLICT, "")
}

// Every remark must be answered in the report, so one person, or one
// browser where the consultation is open to anyone, makes at most
// MaxRemarks; the refused one is not stored.
func TestRemarksLimitedPerRespondent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.open(t, consultations.Open)
	browser := consultations.Respondent{Browser: strings.Repeat("c", 43)}
	for i := 0; i < consultations.MaxRemarks; i++ {
		if _, err := f.s.AddRemark(context.Background(), o.ID, browser, consultations.RemarkInput{Body: fmt.Sprintf("uwaga %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.s.AddRemark(context.Background(), o.ID, browser, consultations.RemarkInput{Body: "jedna za dużo"})
	wantCode(t, err, ratusz.ETOOMANY, "")
	if _, err := f.s.AddRemark(context.Background(), o.ID, consultations.Respondent{Browser: strings.Repeat("d", 43)}, consultations.RemarkInput{Body: "inna przeglądarka"}); err != nil {
		t.Fatalf("another browser: %v", err)
	}
	// Sent all at once, a person's remarks still stop at the limit.
	jan := f.user(t, "Jan", false, ratusz.RoleResident)
	var wg sync.WaitGroup
	var refused atomic.Int32
	for i := 0; i < consultations.MaxRemarks+5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.s.AddRemark(jan, o.ID, consultations.Respondent{}, consultations.RemarkInput{Body: "od Jana"})
			if ratusz.ErrorCode(err) == ratusz.ETOOMANY {
				refused.Add(1)
			} else if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if refused.Load() != 5 {
		t.Errorf("%d of %d concurrent remarks refused, want 5", refused.Load(), consultations.MaxRemarks+5)
	}
	var n int
	f.pool.QueryRow(context.Background(), "SELECT count(*) FROM consultation_remarks WHERE consultation_id = $1", o.ID).Scan(&n)
	if n != 2*consultations.MaxRemarks+1 {
		t.Fatalf("%d remarks stored, want %d", n, 2*consultations.MaxRemarks+1)
	}
}
