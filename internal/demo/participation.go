package demo

import (
	"context"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/participation"
)

// seedParticipation makes two editions of the participatory budget: 2026
// with its results published in BIP, and 2027 in its voting phase, which
// the demo resident has not voted in yet.
func seedParticipation(ctx context.Context, pool *pgxpool.Pool, secret []byte, out io.Writer) error {
	accounts := account.NewService(pool)
	as := func(email string) (context.Context, error) {
		u, err := accounts.FindUserByEmail(ctx, email)
		if err != nil {
			return nil, err
		}
		return ratusz.NewContextWithActor(ctx, u.Actor()), nil
	}
	officer, err := as("bo@przykladowo.pl")
	if err != nil {
		return err
	}
	resident, err := as("jan.kowalski@example.pl")
	if err != nil {
		return err
	}
	s := participation.NewService(pool)
	s.SetVoterKey(secret)
	maxLen := 3
	type proj struct {
		pool  int
		title string
		zl    int64
		ok    bool
	}
	edition := func(year int, projects []proj, votes [][]int) (*participation.Edition, []*participation.PBProject, error) {
		e, err := s.CreateEdition(officer, participation.EditionInput{Year: year, Name: fmt.Sprintf("Budżet obywatelski %d", year), MinLength: 1, MaxLength: &maxLen,
			Categories: []string{"zieleń", "sport i rekreacja", "kultura", "infrastruktura"},
			Districts: []participation.DistrictInput{{Name: "Pula ogólnogminna", Budget: 300_000_00, Citywide: true},
				{Name: "Dąbrowa", Budget: 100_000_00}, {Name: "Lipie", Budget: 100_000_00}}})
		if err != nil {
			return nil, nil, err
		}
		var made []*participation.PBProject
		for _, p := range projects {
			x, err := s.SubmitProject(resident, e.ID, participation.ProjectInput{District: e.Districts[p.pool].ID, Title: p.title,
				Description: "Projekt zgłoszony przez mieszkańców: " + p.title + ".", Place: "Gmina Przykładowo",
				CostItems: []participation.CostItem{{Item: "dokumentacja", Cost: 5_000_00}, {Item: "wykonanie", Cost: p.zl*100 - 5_000_00}}})
			if err != nil {
				return nil, nil, err
			}
			made = append(made, x)
		}
		if _, err := s.SetPhase(officer, e.ID, participation.PhaseChange{Phase: "verification"}); err != nil {
			return nil, nil, err
		}
		for i, p := range projects {
			status, why := "accepted", "Projekt spełnia wymogi formalne i merytoryczne."
			if !p.ok {
				status, why = "rejected", "Teren nie jest własnością gminy."
			}
			if _, err := s.Verify(officer, made[i].ID, status, why); err != nil {
				return nil, nil, err
			}
		}
		if _, err := s.SetPhase(officer, e.ID, participation.PhaseChange{Phase: "voting"}); err != nil {
			return nil, nil, err
		}
		// The demo's key is known (see DemoBallotKey), so that whoever
		// tries the demo can end its vote.
		if _, err := pool.Exec(ctx, "UPDATE pb_editions SET ballot_key = $2 WHERE id = $1", e.ID, demoBallotPublic); err != nil {
			return nil, nil, err
		}

		for i, v := range votes {
			var ids []int64
			for _, k := range v {
				ids = append(ids, made[k].ID)
			}
			if _, err := s.PaperBallot(officer, e.ID, fmt.Sprintf("demo-%d-%03d", year, i), participation.BallotInput{Projects: ids}); err != nil {
				return nil, nil, fmt.Errorf("demo ballot %d: %w", i, err)
			}
		}
		return e, made, nil
	}
	past := []proj{{0, "Skatepark przy szkole", 180_000, true}, {0, "Zielone przystanki", 90_000, true}, {0, "Kino letnie w parku", 40_000, true},
		{0, "Ścieżka rowerowa nad rzeką", 290_000, true}, {1, "Plac zabaw w Dąbrowie", 80_000, true}, {1, "Oświetlenie boiska", 35_000, true},
		{2, "Altana dla seniorów w Lipiu", 30_000, true}, {2, "Siłownia plenerowa", 60_000, true}, {2, "Parking na łące", 70_000, false}}
	var votes [][]int
	for i := 0; i < 60; i++ {
		v := []int{[]int{0, 1, 2, 3}[i%4]}
		if i%3 == 0 && v[0] != 1 {
			v = append(v, 1)
		}
		if i%5 == 0 && v[0] != 2 {
			v = append(v, 2)
		}
		v = append(v, []int{4, 5, 6, 7}[i%4])
		votes = append(votes, v)
	}
	e, _, err := edition(2026, past, votes)
	if err != nil {
		return err
	}
	if _, err := s.SetPhase(officer, e.ID, participation.PhaseChange{Phase: "results", BallotKey: DemoBallotKey}); err != nil {
		return err
	}
	next := []proj{{0, "Drzewa wzdłuż ul. Lipowej", 120_000, true}, {0, "Mural na ścianie biblioteki", 45_000, true}, {0, "Bezpłatne warsztaty dla młodzieży", 60_000, true},
		{1, "Ławki i kosze w Dąbrowie", 25_000, true}, {1, "Boisko do siatkówki plażowej", 70_000, true}, {2, "Wiata rowerowa przy szkole w Lipiu", 40_000, true}}
	if _, _, err := edition(2027, next, [][]int{{0, 3}, {1, 5}, {0, 2, 4}}); err != nil {
		return err
	}
	fmt.Fprintln(out, "Demo participatory budget: 2026 with results in BIP, 2027 in the voting phase.")
	fmt.Fprintln(out, "  The 2027 commission's ballot key, needed to end that vote:", DemoBallotKey)
	return nil
}
