package web

import (
	"html/template"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/consultations"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/internal/config"
	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/internal/notify"
	"github.com/ratusz/ratusz/participation"
	"github.com/ratusz/ratusz/participation/pabulib"
	"github.com/ratusz/ratusz/search"
	"github.com/ratusz/ratusz/web/httpx"
)

// Every template renders, with its typed page, in both languages, and
// shows no catalogue key untranslated.
func TestRenderEveryTemplate(t *testing.T) {
	cfg, _ := config.Load(func(string) string { return "" })
	s := &Server{Deps: Deps{Config: cfg}}
	pages, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	s.pages = pages
	s.Log = discardLogger()
	email := "anna@example.pl"
	user := &account.User{ID: 3, Email: &email, Name: "Anna", Roles: []ratusz.Role{ratusz.RoleSecretary}, CreatedAt: time.Now()}
	admin := ratusz.Actor{UserID: 1, Name: "Admin", Roles: []ratusz.Role{ratusz.RoleAdmin}}
	cat := &bip.Category{ID: 1, Slug: "uchwaly", NamePL: "Uchwały", NameEN: "Resolutions"}
	now := time.Now()
	pub := &bip.Publication{ID: 7, Category: cat, Version: 2, Latest: 3, Kind: "revise", Title: "Uchwała XII/145/2026", Body: "x", BodyHTML: "<p>x</p>",
		Metadata:     bip.Metadata{ProducedBy: "Rada", Responsible: "Przewodniczący", EnteredBy: "Joanna", ProducedAt: now, PublishedAt: now},
		Attachments:  []*bip.Attachment{{ID: 3, Name: "uchwala.pdf", ContentType: "application/pdf", Size: 2048, SHA256: []byte{1, 2}}},
		ChangeReason: "korekta", VersionAt: now}
	summary := []*bip.Summary{{ID: 7, Title: "Uchwała", Version: 2, Withdrawn: true, PublishedAt: now, UpdatedAt: now, CategorySlug: "uchwaly", CategoryPL: "Uchwały"}}
	versions := []*bip.VersionSummary{{Version: 1, Kind: "publish", CreatedAt: now}, {Version: 2, Kind: "revise", CreatedAt: now, ChangeReason: "korekta"}}
	pg := pagination{Page: 2, Pages: 3, Total: 50, base: "/bip?"}
	opts := []catOption{{"rada", "Rada", 0}, {"uchwaly", "Uchwały", 1}}
	adopted := "adopted"
	body := &council.Body{ID: 1, Name: "Rada Gminy", StatutorySize: 15}
	sess := &council.Session{ID: 2, BodyID: 1, Number: 12, Kind: "ordinary", Title: "Sesja", StartsAt: now, State: "in_progress", BroadcastURL: "https://example.org/live", RecordingURL: "https://example.org/rec", ProtocolURL: "https://example.org/p"}
	closedVote := &council.Vote{ID: 3, SessionID: 2, AgendaItemID: 4, Subject: "Uchwała", Majority: council.Simple, State: "closed", Outcome: &adopted,
		Counts: &council.Counts{For: 8, Against: 3, Abstain: 1, NotVoting: 1, Absent: 2}, Ballots: []council.Ballot{{CouncillorID: 5, Councillor: "Anna", Club: "Klub", Choice: "for"}}}
	openVote := &council.Vote{ID: 6, SessionID: 2, AgendaItemID: 4, Subject: "Druga", Majority: council.Absolute, State: "open", BallotsCast: 4}
	secretVote := &council.Vote{ID: 9, SessionID: 2, AgendaItemID: 4, Subject: "Tajne", Majority: council.Absolute, Mode: "secret", State: "open"}
	rollCall := &council.Vote{ID: 10, SessionID: 2, AgendaItemID: 4, Subject: "Imienne", Majority: council.Absolute, Mode: "roll_call", State: "open"}
	maxLen := 3
	pbEd := &participation.Edition{ID: 1, Year: 2027, Name: "BO 2027", Phase: "voting", VoteType: pabulib.Approval, MaxLength: &maxLen, Rule: "greedy",
		Districts: []*participation.District{{ID: 1, Name: "Cała gmina", Budget: 100000, Citywide: true}}, Schedule: map[string]string{"voting": "2027-05-10"}}
	pbProj := &participation.PBProject{ID: 1, EditionID: 1, DistrictID: 1, Code: "1/2027", Title: "Park", Description: "Opis", Cost: 5000, Status: "rejected",
		Justification: "x", CostItems: []participation.CostItem{{Item: "a", Cost: 5000}}}
	view := &sessionView{&council.SessionView{Session: sess, Body: body, Agenda: []*council.AgendaItem{{ID: 4, Position: 1, Label: "1", Title: "Punkt", Papers: []string{"DS-89/26"}}},
		Votes:       []*council.Vote{closedVote, openVote, {ID: 7, AgendaItemID: 4, Subject: "Trzecia", Majority: council.Simple, State: "draft"}, secretVote, rollCall},
		Councillors: []*council.Councillor{{ID: 5, Name: "Anna", Club: "Klub"}, {ID: 8, Name: "Jan"}}, Present: map[int64]bool{5: true}, PresentN: 1, Open: openVote,
		Files: map[int64][]*council.AgendaFile{4: {{ID: 1, AgendaItemID: 4, Name: "projekt.pdf", ContentType: "application/pdf", Size: 100}}}}}
	view.Current = view.Agenda[0]
	started := now.Add(-90 * time.Second)
	item := int64(4)
	view.Speakers = []*council.Speech{{ID: 1, Kind: council.SpeechItem, Name: "Anna", State: "speaking", LimitSeconds: 300, StartedAt: &started},
		{ID: 2, Kind: council.SpeechFormal, Name: "Jan", State: "waiting", LimitSeconds: 60}, {ID: 3, Kind: council.SpeechAdVocem, Name: "Wójt Gminy", State: "waiting", LimitSeconds: 60}}
	view.Timeline = []*council.TimelineEntry{{ID: 1, At: now, Kind: "started"}, {ID: 2, At: now, Kind: "item", AgendaItemID: &item, Text: "1. Punkt"},
		{ID: 3, At: now, Kind: "speech_started", Text: "Anna"}, {ID: 4, At: now, Kind: "break_started", Text: "15"}, {ID: 5, At: now, Kind: "closed"}}
	view.LastClosed = closedVote
	afterVote := &sessionView{&council.SessionView{}}
	*afterVote.SessionView = *view.SessionView
	afterVote.Open = nil
	vp := &votePage{Vote: closedVote, Session: sess, Body: body, BIPURL: "/bip/publikacje/1"}
	vp.Lang = i18n.PL
	vp.Chart = voteChart(vp, closedVote.Counts)
	answeredOn := now
	ints := []*council.Interpellation{{ID: 1, Councillor: "Anna", Kind: "interpelacja", Number: "INT/2026/1", Subject: "remontu", FiledOn: now.AddDate(0, 0, -30), DueOn: now.AddDate(0, 0, -16)},
		{ID: 2, Councillor: "Jan", CouncillorID: new(int64), Kind: "zapytanie", Number: "ZAP/2026/1", Subject: "drogi", FiledOn: now, DueOn: now.AddDate(0, 0, 14), AnsweredOn: &answeredOn, Answer: "Tak", Content: "Czy?"}}
	consultExample := &consultations.Consultation{ID: 3, Title: "Plan", Organiser: "Wójt", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour), Eligibility: "open", State: "draft", ResultsLive: true,
		Questions: []consultations.Question{{ID: "q1", Type: "single", Text: "Czy?", Options: []string{"Tak", "Nie"}, Required: true}, {ID: "q2", Type: "multiple", Text: "Co?", Options: []string{"A", "B"}, MaxChoices: 1},
			{ID: "q3", Type: "scale", Text: "Ile?", Min: 1, Max: 5, ShowIf: &consultations.Condition{Question: "q1", Equals: "Tak"}}, {ID: "q4", Type: "text", Text: "Uwagi"}, {ID: "q5", Type: "ranking", Text: "Kolejność", Options: []string{"X", "Y"}},
			{ID: "q6", Type: "matrix", Text: "Oceń", Rows: []string{"Park"}, Options: []string{"dobrze", "źle"}}, {ID: "q7", Type: "longtext", Text: "Więcej"}}}
	closedAt := now
	consultClosed := &consultations.Consultation{ID: 4, Title: "Studium", Organiser: "Wójt", StartsAt: now.Add(-48 * time.Hour), EndsAt: now.Add(-time.Hour), Eligibility: "residents", State: "closed", ClosedAt: &closedAt, ReportID: new(int64), AnnouncementID: new(int64)}
	consultDocs := []*consultations.Document{{ID: 1, Name: "plan.pdf", Size: 100}}
	verdict := "partly"
	consultRemarks := []*consultations.Remark{{ID: 1, Document: "plan.pdf", Section: "§ 2", Body: "x", Verdict: &verdict, Justification: "j", CreatedAt: now}, {ID: 2, Body: "y", CreatedAt: now}}
	avg := 3.5
	consultResults := &consultations.Results{Responses: 2, Questions: []*consultations.QuestionResult{{ID: "q1", Type: "single", Text: "Czy?", Answered: 2, Options: []consultations.Count{{Label: "Tak", Count: 1, Percent: 50}}},
		{ID: "q3", Type: "scale", Text: "Ile?", Answered: 2, Options: []consultations.Count{{Label: "1", Count: 1, Percent: 50}}, Average: &avg},
		{ID: "q5", Type: "ranking", Text: "K", Answered: 1, Options: []consultations.Count{{Label: "X", Count: 1, Percent: 100}}, Mean: []float64{1}},
		{ID: "q6", Type: "matrix", Text: "M", Answered: 1, Rows: []consultations.RowResult{{Label: "Park", Options: []consultations.Count{{Label: "dobrze", Count: 1, Percent: 100}}}}},
		{ID: "q4", Type: "text", Text: "T", Answered: 1, Texts: []string{"x"}}, {ID: "q7", Type: "longtext", Text: "L"}}}
	examples := map[string]page{
		"search": &searchPageData{Q: "uchwała", Form: url.Values{"q": {"uchwała"}, "typ": {"vote"}}, Pagination: pg,
			Result: search.Result{Total: 1, Hits: []search.Hit{{ID: "vote:1", Type: "vote", Title: "Głosowanie", URL: "/rada/glosowania/1", Snippet: "a <mark>uchwała</mark>", Date: now}}},
			Facets: []searchFacet{{Name: "type", Param: "type", Label: "Rodzaj", Values: []searchFacetValue{{Label: "głosowanie", Count: 1, URL: "/szukaj?type=vote", Selected: true}}}}, FeedURL: "/szukaj/feed.atom?q=x", Saved: true},
		"search_saved":               &savedSearchesPageData{List: []savedSearch{{Saved: &search.Saved{ID: 1, Query: "budżet", Filters: url.Values{"q": {"budżet"}}, CreatedAt: now}}}},
		"search_unsubscribe":         &unsubscribePage{Token: "abc", Query: "budżet"},
		"council_interpellations":    &interpellationsPage{List: ints, Today: now, Pagination: pg, MayFile: true, Councillor: "2"},
		"council_interpellation":     &interpellationPage{I: ints[1], Status: "answered", BIPURL: "/bip/publikacje/1", MayReply: true, Answer: "x"},
		"council_interpellation_new": &fileInterpellationPage{Kind: "zapytanie", Subject: "s", Content: "c"},
		"council_home":               &councilHomePage{Bodies: []bodySessions{{body, []*council.Session{sess}, clubsOf(view.Councillors), nil}}},
		"council_councillor": &councillorPage{P: &council.Profile{Councillor: view.Councillors[0], Body: body, SessionsAttended: 3, SessionsHeld: 4, Choices: map[string]int{"for": 9}, Recent: []council.ProfileVote{{VoteID: 3, Subject: "U", Date: now, Choice: "for", Outcome: "adopted"}},
			Memberships: []*council.Membership{{Role: "chair", StartsOn: now, EndsOn: &now}, {Club: "Klub", Role: "member", StartsOn: now}}}},
		"council_session":      &sessionPage{sessionView: view},
		"council_vote":         vp,
		"council_device":       &devicePage{sessionView: view, Me: view.Councillors[0], Choice: "against"},
		"council_console":      &consolePage{sessionView: view, Majorities: council.Majorities, ClosedVotes: []*council.Vote{closedVote}},
		"council_calendar":     &calendarPage{Month: now, Weeks: [][]calendarDay{{{}, {Day: 1, Date: now, Today: true, Sessions: []*council.Session{sess}}}}, Sessions: []*council.Session{sess}, Bodies: map[int64]*council.Body{1: body}},
		"council_resolutions":  &resolutionsPage{List: []*council.ResolutionEntry{{Number: "XII/1/2026", Title: "w sprawie", AdoptedAt: now, SessionID: 2, Session: 12, VoteID: 3, PublicationID: new(int64)}}, Years: []int{2026}, Year: 2026, Pagination: pg},
		"council_clubs":        &clubsPage{Bodies: []bodyClubs{{body, []*council.ClubSummary{{Name: "Klub", Members: view.Councillors, Attended: 3, Possible: 4, Choices: map[string]int{"for": 2}, Votes: 2, United: 1}}}}},
		"pb_home":              &pbHomePage{Editions: []*participation.Edition{pbEd}, Officer: true},
		"pb_edition_new":       &pbEditionFormPage{Form: map[string]string{"year": "2027"}},
		"pb_edition":           &pbEditionPage{E: pbEd, Pools: []pbPool{{pbEd.Districts[0], []*participation.PBProject{pbProj}}}, Officer: true, Phases: participation.Phases},
		"pb_submit":            &pbSubmitPage{E: pbEd, Form: map[string]string{"title": "Park"}},
		"pb_project":           &pbProjectPage{P: pbProj, E: pbEd, District: pbEd.Districts[0], Officer: true, Author: true, Files: []*participation.File{{ID: 1, Name: "mapa.pdf", Size: 10}}},
		"pb_vote":              &pbVotePage{E: pbEd, Pools: []pbPool{{pbEd.Districts[0], []*participation.PBProject{pbProj}}}, Paper: true, Chosen: map[int64]string{1: "1"}},
		"pb_receipt":           &pbReceiptPage{E: pbEd, Receipt: "ABCD-EFGH-JKLM-NPQR", Tag: "0a1b2c3d4e5f"},
		"pb_ballot_key":        &pbBallotKeyPage{E: pbEd, Key: "ABCD-EFGH-JKLM-NPQR"},
		"pb_ballots":           &pbBallotsPage{E: pbEd, List: []*participation.PublishedBallot{{ID: "x", Receipt: "0a1b", Projects: []string{"1/2027"}, Channel: "online"}}, Found: &participation.PublishedBallot{Receipt: "0a1b", Projects: []string{"1/2027"}}, Pagination: pg},
		"pb_results":           &pbResultsPage{E: pbEd, Results: []*participation.DistrictResult{{District: pbEd.Districts[0], Rows: []participation.ResultRow{{Project: pbProj, Score: 5, Selected: true, Rank: 1}}}}, Charts: map[int64]template.HTML{1: "<svg></svg>"}},
		"council_session_edit": &sessionEditPage{sessionView: view, Form: sessionForm(sess)},
		"bip_home":             &bipHomePage{Tree: bip.Tree([]*bip.Category{cat}), Latest: summary, MayPublish: true},
		"bip_category":         &bipCategoryPage{Category: cat, Parent: cat, Children: []*bip.Category{cat}, List: summary, Pagination: pg},
		"bip_publication":      &bipPublicationPage{Pub: pub, Body: "<p>x</p>", Old: true, MayPublish: true},
		"bare_bip_print":       &bipPrintPage{&bipPublicationPage{Pub: pub, Body: "<p>x</p>"}},
		"bare_council_screen":  &screenPage{sessionView: afterVote},
		"bip_versions":         &bipVersionsPage{Pub: pub, Versions: versions, From: 1, To: 2, Diff: []bip.DiffOp{{Kind: "same", Text: "a "}, {Kind: "del", Text: "b"}, {Kind: "ins", Text: "c"}}, TitleDiff: []bip.DiffOp{{Kind: "same", Text: "t"}}},
		"bip_changes":          &bipChangesPage{Changes: []*bip.Change{{PublicationID: 7, Version: 2, Kind: "revise", Title: "U", CreatedAt: now, Seq: 9}}, Head: bip.Head{Seq: 9, Hash: "ab"}, Pagination: pg},
		"bip_editor":           &bipEditorPage{Pub: pub, Categories: opts, Form: bipForm{Category: "uchwaly", Keep: map[int64]bool{3: true}}, Preview: "<p>x</p>"},
		"bip_withdraw":         &bipWithdrawPage{Pub: pub, Reason: "r"},
		"admin_categories":     &adminCategoriesPage{Categories: opts},
		"admin_category":       &adminCategoryPage{Category: cat, Parents: opts, Input: bip.CategoryInput{Slug: "uchwaly", Parent: "rada"}},
		"home":                 &homePage{},
		"section":              &sectionPage{Key: "council"},
		"error":                &errorPage{Status: 401, Message: "x", Login: "/login"},
		"login":                &loginPage{Email: "a@b.pl", Next: "/"},
		"admin_users":          &adminUsersPage{Users: []*account.User{user}, Total: 1, Roles: ratusz.Roles},
		"admin_user":           &adminUserPage{User: user, Input: account.UserInput{Email: email, Name: "Anna", Roles: user.Roles}, Roles: ratusz.Roles},
		"accessibility":        &accessibilityPage{Published: statementDate, Reviewed: statementDate},
		"consultation_list":    &consultationListPage{Current: []consultationView{{consultExample, now}}, Past: []consultationView{{consultClosed, now}}, MayManage: true},
		"consultation_show":    &consultationShowPage{consultationView: consultationView{consultExample, now}, Description: "<p>x</p>", Documents: consultDocs, Remarks: consultRemarks, Responded: true, MayManage: true, Form: map[string]string{"body": "x"}},
		"consultation_survey":  &surveyPage{consultationView: consultationView{consultExample, now}, Values: url.Values{"q1": {"Tak"}, "q2": {"A"}, "q5.0": {"1"}}, Changing: true},
		"consultation_results": &resultsPage{consultationView: consultationView{consultClosed, now}, R: consultResults, Charts: map[string]template.HTML{"q1": "<svg></svg>"}, Report: &consultations.Report{Consultation: consultClosed, Results: consultResults, Remarks: consultRemarks, Documents: consultDocs}},
		"notify_follows": &myFollowsPage{List: []*notify.Follow{{ID: 1, Target: notify.Target{Type: notify.TargetCouncillor, ID: 2}, Name: "Anna Nowak", URL: "/rada/radni/2", Delivery: "immediate", Channel: "email", CreatedAt: now},
			{ID: 2, Target: notify.Target{Type: notify.TargetCouncillor, ID: 2}, Name: "Anna Nowak", URL: "/rada/radni/2", Delivery: "immediate", Channel: "sms", CreatedAt: now}},
			Contact: &notify.Contact{Phone: "+48600100200"}, SMS: true, CodeSentTo: "+48600100200"},
		"notify_unsubscribe": &noticeUnsubscribePage{Token: "abc", U: &notify.Unsubscribed{Titles: []string{"Głosowanie zamknięte"}, Active: true, Ended: 2}},
		"consultation_edit":  &consultationEditPage{consultationView: &consultationView{consultExample, now}, Form: consultationForm(consultExample), Documents: consultDocs, Remarks: consultRemarks, Texts: []*consultations.TextAnswer{{ResponseID: 1, QuestionID: "q4", Text: "x"}}},
	}
	cp := examples["council_councillor"].(*councillorPage)
	cp.Follow = &followBox{Page: &cp.Page, Type: notify.TargetCouncillor, ID: 2, Name: "Anna Nowak", SMS: true,
		Follows: []*notify.Follow{{ID: 1, Target: notify.Target{Type: notify.TargetCouncillor, ID: 2}, Delivery: "daily", Channel: "email"}}}
	names, _ := fs.Glob(assets, "templates/*.html")
	if len(pages.byName[i18n.EN]) != len(names)-2 {
		t.Fatalf("parsed %d English pages of %d templates", len(pages.byName[i18n.EN]), len(names)-2)
	}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		if _, ok := examples[name]; !ok {
			t.Errorf("template %s has no example page in this test", name)
		}
	}
	for name, p := range examples {
		for _, lang := range i18n.Langs {
			t.Run(name+"_"+string(lang), func(t *testing.T) {
				p.base().Title = "home.title"
				p.base().Errors = map[string]string{"email": "bad"}
				r := httptest.NewRequest("GET", "/", nil)
				r.AddCookie(&http.Cookie{Name: httpx.LangCookie, Value: string(lang)})
				r = r.WithContext(ratusz.NewContextWithActor(r.Context(), admin))
				w := httptest.NewRecorder()
				if p.template() != name {
					t.Fatalf("the page of %s names its template %s", name, p.template())
				}
				s.render(w, r, 200, p)
				if w.Code != 200 {
					t.Fatalf("status %d: %s", w.Code, w.Body)
				}
				body := w.Body.String()
				if !strings.Contains(body, `<html lang="`+string(lang)+`">`) {
					t.Fatal("wrong lang attribute")
				}
				for _, k := range i18n.Keys() {
					if strings.Contains(body, ">"+k+"<") || strings.Contains(body, `"`+k+`"`) {
						t.Errorf("untranslated key %s in page", k)
					}
				}
			})
		}
	}
}

// BenchmarkRenderPublication measures the template alone.
func BenchmarkRenderPublication(b *testing.B) {
	cfg, _ := config.Load(func(string) string { return "" })
	pages, err := parseTemplates()
	if err != nil {
		b.Fatal(err)
	}
	s := &Server{Deps: Deps{Config: cfg, Log: discardLogger()}, pages: pages}
	now := time.Now()
	body := "<h2>§ 1</h2><p>" + strings.Repeat("Rada Gminy postanawia zmienić budżet. ", 40) + "</p>"
	pub := &bip.Publication{ID: 7, Category: &bip.Category{ID: 1, Slug: "uchwaly", NamePL: "Uchwały"}, Version: 1, Latest: 1, Title: "Uchwała nr 12/345/2026 w sprawie zmian w budżecie", BodyHTML: body,
		Metadata: bip.Metadata{ProducedBy: "Rada", Responsible: "Przewodniczący", EnteredBy: "Joanna", ProducedAt: now, PublishedAt: now}, VersionAt: now}
	r := httptest.NewRequest("GET", "/bip/publikacje/7", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		s.render(w, r, 200, s.bipPublicationPage(r, pub))
	}
}

// A translation compiled into a template is escaped like any other text.
func TestTranslateEscapes(t *testing.T) {
	got := translate(`<p title="{{.T "layout.skip"}}">{{$p.T "nav.bip"}}</p>{{.T "home.heading" .X}}`, i18n.EN)
	want := `<p title="Skip to content">Public Information Bulletin</p>{{.T "home.heading" .X}}`
	if got != want {
		t.Fatalf("got %s", got)
	}
}

func BenchmarkRenderLayoutOnly(b *testing.B) {
	cfg, _ := config.Load(func(string) string { return "" })
	pages, _ := parseTemplates()
	s := &Server{Deps: Deps{Config: cfg, Log: discardLogger()}, pages: pages}
	r := httptest.NewRequest("GET", "/rada", nil)
	for b.Loop() {
		w := httptest.NewRecorder()
		p := &sectionPage{Key: "council"}
		p.Title = "nav.council"
		s.render(w, r, 200, p)
	}
}

// Page links carry the page's other parameters, and no stray '&'.
func TestPaginationURL(t *testing.T) {
	for path, want := range map[string]string{
		"/szukaj":                         "/szukaj?strona=2",
		"/szukaj?strona=5":                "/szukaj?strona=2",
		"/szukaj?q=uchwa%C5%82a&strona=1": "/szukaj?q=uchwa%C5%82a&strona=2",
	} {
		r := httptest.NewRequest("GET", path, nil)
		if got := newPagination(r, 1, 100, 20).URL(2); got != want {
			t.Errorf("%s: page 2 is %s, want %s", path, got, want)
		}
	}
}

// Means and averages: a decimal comma in Polish, a point in English.
func TestDecimal(t *testing.T) {
	f := 1.78
	for _, c := range []struct {
		lang i18n.Lang
		v    any
		want string
	}{{i18n.PL, 1.78, "1,78"}, {i18n.EN, 1.78, "1.78"}, {i18n.PL, &f, "1,78"}, {i18n.PL, 3.0, "3"}, {i18n.PL, (*float64)(nil), ""}} {
		if got := decimal(c.lang, c.v); got != c.want {
			t.Errorf("decimal(%s, %v) = %q, want %q", c.lang, c.v, got, c.want)
		}
	}
	if got := percent(i18n.PL, 60); got != "60,0%" {
		t.Errorf("percent = %q", got)
	}
}
