package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/consultations"
)

// demoPDF is a tiny document that passes as a PDF.
const demoPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

// seedConsultations adds one open consultation (a park's renewal: a survey
// with a condition, a plan under consultation, answers and a remark waiting
// for the officer) and one closed consultation with its report in BIP.
func seedConsultations(ctx context.Context, pool *pgxpool.Pool, out io.Writer) error {
	svc := consultations.NewService(pool)
	residents := make([]context.Context, 24)
	for i := range residents {
		var id int64
		name := fmt.Sprintf("Mieszkaniec demonstracyjny %d", i+1)
		if err := pool.QueryRow(ctx, "INSERT INTO users (name, roles, verified) VALUES ($1, '{resident}', true) RETURNING id", name).Scan(&id); err != nil {
			return err
		}
		residents[i] = ratusz.NewContextWithActor(context.Background(), ratusz.Actor{UserID: id, Name: name, Roles: []ratusz.Role{ratusz.RoleResident}, Verified: true})
	}
	now := time.Now()

	// Closed: the rules for keeping the municipality clean.
	closed, err := svc.Create(ctx, consultations.Input{
		Title:       "Projekt uchwały w sprawie regulaminu utrzymania czystości i porządku",
		Description: "Rada Gminy zmienia regulamin utrzymania czystości i porządku. Prosimy o opinię o częstotliwości odbioru odpadów i o uwagi do projektu.",
		Organiser:   "Wójt Gminy Przykładowo", StartsAt: now.AddDate(0, 0, -30), EndsAt: now.Add(time.Hour), Eligibility: consultations.Residents,
		Questions: []consultations.Question{
			{ID: "q1", Type: consultations.Single, Text: "Czy popierasz projekt regulaminu?", Options: []string{"Tak", "Nie", "Nie mam zdania"}, Required: true},
			{ID: "q2", Type: consultations.Scale, Text: "Jak oceniasz obecny odbiór odpadów?", Min: 1, Max: 5},
			{ID: "q3", Type: consultations.Multiple, Text: "Które frakcje odbierać częściej?", Options: []string{"Bio", "Papier", "Szkło", "Tworzywa sztuczne"}, MaxChoices: 2},
			{ID: "q4", Type: consultations.Text, Text: "Co jeszcze chcesz przekazać?"},
		}})
	if err != nil {
		return err
	}
	doc, err := svc.AddDocument(ctx, closed.ID, "projekt-regulaminu.pdf", []byte(demoPDF))
	if err != nil {
		return err
	}
	if _, err := svc.Open(ctx, closed.ID); err != nil {
		return err
	}
	support := []string{"Tak", "Tak", "Nie", "Tak", "Nie mam zdania"}
	fractions := [][]any{{"Bio"}, {"Bio", "Tworzywa sztuczne"}, {"Papier"}, {"Szkło", "Bio"}}
	for i, r := range residents[:20] {
		a := map[string]any{"q1": support[i%len(support)], "q2": float64(1 + i%5), "q3": fractions[i%len(fractions)]}
		if i%6 == 0 {
			a["q4"] = []string{"Proszę o dodatkowy odbiór choinek w styczniu.", "Pojemniki na szkło przy szkole są zawsze pełne.",
				"Harmonogram powinien być wysyłany SMS-em.", "Więcej koszy na psie odchody w parku."}[i/6]
		}
		if _, err := svc.Respond(r, closed.ID, consultations.Respondent{}, a, false); err != nil {
			return err
		}
	}
	texts, err := svc.TextAnswers(ctx, closed)
	if err != nil {
		return err
	}
	for _, t := range texts {
		if err := svc.Moderate(ctx, closed.ID, t.ResponseID, t.QuestionID, true); err != nil {
			return err
		}
	}
	rem, err := svc.AddRemark(residents[0], closed.ID, consultations.Respondent{}, consultations.RemarkInput{Document: doc.ID, Section: "§ 5 ust. 2",
		Body: "Odpady bio powinny być odbierane co tydzień od maja do września, a nie co dwa tygodnie."})
	if err != nil {
		return err
	}
	if _, err := svc.AnswerRemark(ctx, closed.ID, rem.ID, consultations.Accepted, "Harmonogram zmieniono zgodnie z uwagą."); err != nil {
		return err
	}
	rem, err = svc.AddRemark(residents[1], closed.ID, consultations.Respondent{}, consultations.RemarkInput{Body: "Proponuję zrezygnować z opłaty za kompostownik."})
	if err != nil {
		return err
	}
	if _, err := svc.AnswerRemark(ctx, closed.ID, rem.ID, consultations.Rejected, "Ulga za kompostownik wynika z ustawy; uchwała nie może jej znieść."); err != nil {
		return err
	}
	if _, err := svc.Close(ctx, closed.ID); err != nil {
		return err
	}

	// Open: the renewal of the park.
	park, err := svc.Create(ctx, consultations.Input{
		Title:       "Rewitalizacja parku przy ul. Lipowej",
		Description: "Gmina przygotowuje projekt rewitalizacji parku przy ul. Lipowej. Zapoznaj się z **koncepcją** i powiedz nam, czego potrzebujesz.\n\n- plac zabaw,\n- ścieżki i oświetlenie,\n- zieleń i ławki.",
		Organiser:   "Wójt Gminy Przykładowo", StartsAt: now.AddDate(0, 0, -7), EndsAt: now.AddDate(0, 0, 21), Eligibility: consultations.Residents,
		Questions: []consultations.Question{
			{ID: "q1", Type: consultations.Single, Text: "Czy korzystasz z parku?", Options: []string{"Tak", "Nie"}, Required: true},
			{ID: "q2", Type: consultations.Scale, Text: "Jak oceniasz park dziś?", Min: 1, Max: 5, ShowIf: &consultations.Condition{Question: "q1", Equals: "Tak"}},
			{ID: "q3", Type: consultations.Multiple, Text: "Co jest dla ciebie najważniejsze?", Options: []string{"Plac zabaw", "Oświetlenie", "Ławki", "Zieleń", "Toalety"}, MinChoices: 1, MaxChoices: 3, Required: true},
			{ID: "q4", Type: consultations.Ranking, Text: "Uszereguj inwestycje od najpilniejszej", Options: []string{"Ścieżki", "Oświetlenie", "Plac zabaw"}},
			{ID: "q5", Type: consultations.Matrix, Text: "Jak oceniasz poszczególne części parku?", Rows: []string{"Wejście od ul. Lipowej", "Staw", "Plac zabaw"}, Options: []string{"dobrze", "średnio", "źle"}},
			{ID: "q6", Type: consultations.LongText, Text: "Twoje propozycje"},
		}})
	if err != nil {
		return err
	}
	if _, err := svc.AddDocument(ctx, park.ID, "koncepcja-parku.pdf", []byte(demoPDF)); err != nil {
		return err
	}
	if _, err := svc.Open(ctx, park.ID); err != nil {
		return err
	}
	important := [][]any{{"Plac zabaw", "Zieleń"}, {"Oświetlenie"}, {"Ławki", "Zieleń", "Toalety"}}
	for i, r := range residents[:9] {
		a := map[string]any{"q1": []string{"Tak", "Tak", "Nie"}[i%3], "q3": important[i%3], "q4": []any{"Oświetlenie", "Ścieżki", "Plac zabaw"},
			"q5": map[string]any{"Staw": []string{"dobrze", "średnio", "źle"}[i%3]}}
		if i%3 != 2 {
			a["q2"] = float64(2 + i%3)
		}
		if i == 4 {
			a["q6"] = "Więcej cienia przy placu zabaw."
		}
		if _, err := svc.Respond(r, park.ID, consultations.Respondent{}, a, false); err != nil {
			return err
		}
	}
	if _, err := svc.AddRemark(residents[2], park.ID, consultations.Respondent{}, consultations.RemarkInput{Section: "Plansza 2",
		Body: "Ścieżka wzdłuż stawu powinna mieć nawierzchnię przyjazną dla wózków."}); err != nil {
		return err
	}
	fmt.Fprintf(out, "Demo consultations: %q open with 9 responses and a remark to answer, %q closed with 20 responses and its report in BIP.\n", park.Title, closed.Title)
	return nil
}
