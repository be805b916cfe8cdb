package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/account"
)

// seedCouncil makes a council of 15 with three clubs, a past session with
// three closed votes (their named lists in BIP), and the next session with
// its agenda, ready to run live. The demo councillor and chair accounts are
// members, so they can vote from their devices.
func seedCouncil(ctx context.Context, pool *pgxpool.Pool) error {
	office, err := account.NewService(pool).FindUserByEmail(ctx, "biuro.rady@przykladowo.pl")
	if err != nil {
		return err
	}
	octx := ratusz.NewContextWithActor(ctx, office.Actor())
	s := council.NewService(pool)
	body, err := s.CreateBody(octx, "Rada Gminy Przykładowo", 15)
	if err != nil {
		return err
	}
	members := []struct{ name, club, email string }{
		{"Marek Zieliński", "Wspólnie dla Gminy", "przewodniczacy@przykladowo.pl"},
		{"Katarzyna Lewandowska", "Wspólnie dla Gminy", "radna.lewandowska@przykladowo.pl"},
		{"Adam Nowicki", "Wspólnie dla Gminy", "adam.nowicki@przykladowo.pl"},
		{"Barbara Wróbel", "Wspólnie dla Gminy", "barbara.wrobel@przykladowo.pl"},
		{"Cezary Mazur", "Wspólnie dla Gminy", "cezary.mazur@przykladowo.pl"},
		{"Danuta Krawczyk", "Nasza Gmina", "danuta.krawczyk@przykladowo.pl"},
		{"Edward Kaczmarek", "Nasza Gmina", "edward.kaczmarek@przykladowo.pl"},
		{"Filomena Piotrowska", "Nasza Gmina", "filomena.piotrowska@przykladowo.pl"},
		{"Grzegorz Grabowski", "Nasza Gmina", "grzegorz.grabowski@przykladowo.pl"},
		{"Halina Pawłowska", "Nasza Gmina", "halina.pawlowska@przykladowo.pl"},
		{"Ireneusz Michalski", "Niezależni", "ireneusz.michalski@przykladowo.pl"},
		{"Jolanta Król", "Niezależni", "jolanta.krol@przykladowo.pl"},
		{"Kamil Wieczorek", "Niezależni", "kamil.wieczorek@przykladowo.pl"},
		{"Lidia Jabłońska", "Niezależni", "lidia.jablonska@przykladowo.pl"},
		{"Maciej Majewski", "Niezależni", "maciej.majewski@przykladowo.pl"},
	}
	var cs []*council.Councillor
	for _, m := range members {
		c, err := s.AddCouncillor(octx, body.ID, m.name, m.club, m.email)
		if err != nil {
			return err
		}
		cs = append(cs, c)
	}
	if err := s.SetFunction(octx, cs[0].ID, "chair"); err != nil {
		return err
	}
	as := func(i int) context.Context { // a councillor casting their own vote
		return ratusz.NewContextWithActor(ctx, ratusz.Actor{UserID: -1, Name: members[i].name, Email: members[i].email, Roles: []ratusz.Role{ratusz.RoleCouncillor}})
	}

	if _, err := s.CreateTerm(octx, body.ID, "IX kadencja (2024–2029)", time.Date(2024, 5, 7, 0, 0, 0, 0, time.UTC), nil); err != nil {
		return err
	}
	past, err := s.NewSession(octx, body.ID, council.SessionInput{Number: 11, Kind: "ordinary", Title: "Sesja zwyczajna",
		StartsAt: time.Date(2026, 11, 19, 10, 0, 0, 0, time.UTC), Place: "Sala sesyjna Urzędu Gminy, ul. Rynek 1",
		RecordingURL: "https://wideo.przykladowo.pl/sesje/xi", ProtocolURL: "https://bip.przykladowo.pl/protokoly/xi-2026.pdf"})
	if err != nil {
		return err
	}
	for i, c := range cs {
		if i == 13 || i == 14 {
			continue // two absent
		}
		if err := s.SetAttendance(octx, past.ID, c.ID, true); err != nil {
			return err
		}
	}
	agenda := []council.AgendaInput{
		{Title: "Otwarcie sesji i stwierdzenie prawomocności obrad"},
		{Title: "Przyjęcie porządku obrad"},
		{Title: "Podjęcie uchwały w sprawie stawek podatku od nieruchomości na 2027 r.", Papers: []string{"DS-87/26"}},
		{Title: "Podjęcie uchwały w sprawie zmiany Statutu Gminy", Papers: []string{"DS-88/26"}},
		{Title: "Zamknięcie sesji"},
	}
	var items []*council.AgendaItem
	for _, in := range agenda {
		item, err := s.AddItem(octx, past.ID, in)
		if err != nil {
			return err
		}
		items = append(items, item)
	}
	votes := []struct {
		item       int
		subject    string
		majority   council.Majority
		choices    string // per councillor: f(or) a(gainst) w (abstain) - (none)
		resolution string
		text       string
	}{
		{1, "Przyjęcie porządku obrad XI sesji", council.Simple, "fffffffffffff--", "", ""},
		{2, "Uchwała w sprawie stawek podatku od nieruchomości", council.Simple, "fffffaaaawffww-",
			"w sprawie określenia wysokości stawek podatku od nieruchomości na rok 2027", "Określa się roczne stawki podatku od nieruchomości: od gruntów związanych z działalnością gospodarczą — 1,34 zł od 1 m², od budynków mieszkalnych — 1,15 zł od 1 m² powierzchni użytkowej."},
		{3, "Uchwała w sprawie zmiany Statutu Gminy", council.AbsoluteStatutory, "fffffawaffa-f--",
			"w sprawie zmiany Statutu Gminy Przykładowo", "W Statucie Gminy Przykładowo wprowadza się zmiany: sesje rady są transmitowane i utrwalane za pomocą urządzeń rejestrujących obraz i dźwięk."},
	}
	for _, v := range votes {
		item := items[v.item]
		if err := s.SetCurrentItem(octx, past.ID, item.ID); err != nil {
			return err
		}
		var res *council.DraftResolution
		if v.resolution != "" {
			res = &council.DraftResolution{Title: v.resolution, Text: "## § 1\n\n" + v.text + "\n\n## § 2\n\nWykonanie uchwały powierza się Wójtowi Gminy.\n\n## § 3\n\nUchwała wchodzi w życie po upływie 14 dni od dnia ogłoszenia w Dzienniku Urzędowym Województwa."}
		}
		vote, err := s.CreateResolutionVote(octx, item.ID, v.subject, v.majority, res)
		if err != nil {
			return err
		}
		if _, err := s.OpenVote(octx, vote.ID); err != nil {
			return err
		}
		for i, ch := range v.choices {
			choice := map[rune]council.Choice{'f': council.For, 'a': council.Against, 'w': council.Abstain}[ch]
			if choice == "" || i >= 13 {
				continue
			}
			if err := s.CastBallot(as(i), vote.ID, choice); err != nil {
				return fmt.Errorf("demo ballot: %w", err)
			}
		}
		if _, err := s.CloseVote(octx, vote.ID); err != nil {
			return err
		}
	}
	if err := s.CloseSession(octx, past.ID); err != nil {
		return err
	}
	// Session XI is entered after the fact: its record is dated by the
	// sitting (the resolutions already are, by the sitting's day), and the
	// councillors were members since the term began.
	if err := datePastSitting(ctx, pool, past); err != nil {
		return err
	}

	if err := seedInterpellations(ctx, pool, body.ID, octx, as); err != nil {
		return err
	}
	next, err := s.NewSession(octx, body.ID, council.SessionInput{Number: 12, Kind: "ordinary", Title: "Sesja budżetowa",
		StartsAt: time.Date(2026, 12, 10, 10, 0, 0, 0, time.UTC), Place: "Sala sesyjna Urzędu Gminy, ul. Rynek 1",
		BroadcastURL: "https://wideo.przykladowo.pl/na-zywo"})
	if err != nil {
		return err
	}
	for _, in := range []council.AgendaInput{
		{Title: "Otwarcie sesji i stwierdzenie prawomocności obrad"},
		{Title: "Przyjęcie porządku obrad"},
		{Title: "Podjęcie uchwały budżetowej Gminy Przykładowo na rok 2027", Papers: []string{"DS-89/26"}},
		{Title: "Podjęcie uchwały w sprawie Wieloletniej Prognozy Finansowej", Papers: []string{"DS-90/26"}},
		{Title: "Interpelacje i zapytania radnych"},
		{Title: "Zamknięcie sesji"},
	} {
		if _, err := s.AddItem(octx, next.ID, in); err != nil {
			return err
		}
	}
	if _, err := s.AnnounceSession(octx, next.ID); err != nil {
		return err
	}
	return nil
}

// seedInterpellations files three: one answered, one awaiting an answer
// and one overdue.
func seedInterpellations(ctx context.Context, pool *pgxpool.Pool, bodyID int64, office context.Context, as func(int) context.Context) error {
	s := council.NewService(pool)
	answered, err := s.File(as(1), bodyID, "interpelacja", "remontu nawierzchni ul. Lipowej", "Mieszkańcy ul. Lipowej zgłaszają liczne ubytki w nawierzchni. Proszę o informację, kiedy gmina przeprowadzi remont.")
	if err != nil {
		return err
	}
	if _, err := s.AnswerInterpellation(office, answered.ID, "Remont nawierzchni ul. Lipowej ujęto w planie na II kwartał 2027 r.; przetarg zostanie ogłoszony w lutym."); err != nil {
		return err
	}
	if _, err := s.File(as(6), bodyID, "zapytanie", "godzin otwarcia biblioteki w Dąbrowie", "Czy gmina planuje wydłużenie godzin otwarcia filii biblioteki w Dąbrowie w soboty?"); err != nil {
		return err
	}
	late, err := s.File(as(11), bodyID, "interpelacja", "dowozu uczniów do szkoły w Lipiu", "Proszę o wyjaśnienie przyczyn opóźnień autobusu szkolnego na trasie Lipie — Przykładowo.")
	if err != nil {
		return err
	}
	// Filed a month ago, so the register shows what "overdue" looks like.
	_, err = pool.Exec(ctx, "UPDATE interpellations SET filed_on = filed_on - 30, due_on = due_on - 30 WHERE id = $1", late.ID)
	return err
}

// datePastSitting dates what the demo recorded of a past sitting as the
// sitting happened: its votes, ballots, attendance and timeline in the
// sitting's hours, and the memberships of its body from the term's start.
// Nothing published is touched: BIP's versions and log keep their times.
func datePastSitting(ctx context.Context, pool *pgxpool.Pool, sess *council.Session) error {
	_, err := pool.Exec(ctx, `
		WITH v AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM votes WHERE session_id = $1)
		UPDATE votes SET opened_at = $2::timestamptz + make_interval(mins => 20 * v.n::int),
			closed_at = $2::timestamptz + make_interval(mins => 20 * v.n::int + 3)
		FROM v WHERE votes.id = v.id`, sess.ID, sess.StartsAt)
	if err == nil {
		_, err = pool.Exec(ctx, `UPDATE ballots b SET cast_at = v.opened_at + interval '1 minute' FROM votes v WHERE v.id = b.vote_id AND v.session_id = $1`, sess.ID)
	}
	if err == nil {
		_, err = pool.Exec(ctx, `UPDATE attendance SET at = $2 WHERE session_id = $1`, sess.ID, sess.StartsAt)
	}
	if err == nil {
		_, err = pool.Exec(ctx, `UPDATE session_timeline t SET at = CASE
				WHEN t.kind IN ('vote_opened', 'vote_closed') THEN (SELECT CASE WHEN t.kind = 'vote_opened' THEN v.opened_at ELSE v.closed_at END FROM votes v WHERE v.id = t.ref_id)
				WHEN t.kind = 'closed' THEN $2::timestamptz + interval '90 minutes'
				ELSE $2::timestamptz + make_interval(secs => t.id - (SELECT min(id) FROM session_timeline WHERE session_id = $1)) END
			WHERE t.session_id = $1`, sess.ID, sess.StartsAt)
	}
	if err == nil {
		_, err = pool.Exec(ctx, `UPDATE council_memberships m SET starts_on = t.starts_on
			FROM councillors c, council_terms t WHERE c.id = m.councillor_id AND c.body_id = $1 AND t.body_id = $1 AND m.starts_on > t.starts_on`, sess.BodyID)
	}
	return err
}
