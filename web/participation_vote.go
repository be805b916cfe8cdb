package web

// The budget's vote: the ballot online and on paper, the receipt, the
// office's list of paper ballots, the results and the pabulib export.

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/participation"
	"github.com/ratusz/ratusz/participation/pabulib"
	"github.com/ratusz/ratusz/web/httpx"
)

type pbVotePage struct {
	Page
	E        *participation.Edition
	Pools    []pbPool
	Paper    bool // an officer entering a paper ballot
	Chosen   map[int64]string
	Voter    string
	Receipt  string
	HasVoted bool
	Check    bool         // the check step: the ballot as it will be cast
	Picked   []pbPicked   // on the check step, in ballot order
	Fields   []hiddenPair // the choices, carried to the cast
	Count    int
	Total    int64 // the cost of the projects chosen, in grosze
}

// pbPicked is a project on the check step, with its points or place.
type pbPicked struct {
	P     *participation.PBProject
	Value string
}

type hiddenPair struct{ Name, Value string }

func (*pbVotePage) template() string { return "pb_vote" }

// Points reports whether the ballot gives points.
func (p *pbVotePage) Points() bool {
	return p.E.VoteType == pabulib.Cumulative || p.E.VoteType == pabulib.Scoring
}

func (s *Server) pbVoteForm(w http.ResponseWriter, r *http.Request) error {
	paper := strings.HasSuffix(r.URL.Path, "/karta-papierowa")
	if paper && !isPBOfficer(r) {
		return ratusz.ActorFromContext(r.Context()).Require(ratusz.RolePBOfficer)
	}
	e, err := s.loadEdition(r)
	if err != nil {
		return err
	}
	// Choices come back in the address after a sign-in or from "Popraw
	// wybór"; what cannot be read is simply not ticked.
	projects, err := s.Participation.Projects(r.Context(), e.ID, true)
	if err != nil {
		return err
	}
	_, chosen, _ := readBallot(r.URL.Query(), e, projectsByID(projects))
	return s.renderVote(w, r, http.StatusOK, e, paper, chosen, "", nil)
}

func projectsByID(projects []*participation.PBProject) map[int64]*participation.PBProject {
	byID := map[int64]*participation.PBProject{}
	for _, p := range projects {
		byID[p.ID] = p
	}
	return byID
}

// ballotFields are the form fields of a ballot, as the form posts them.
func ballotFields(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if k == "p" || (strings.HasPrefix(k, "p") || strings.HasPrefix(k, "n")) && len(k) > 1 && strings.Trim(k[1:], "0123456789") == "" {
			out[k] = vs
		}
	}
	return out
}

func (s *Server) renderVote(w http.ResponseWriter, r *http.Request, code int, e *participation.Edition, paper bool, chosen map[int64]string, voter string, errs map[string]string) error {
	projects, err := s.Participation.Projects(r.Context(), e.ID, true)
	if err != nil {
		return err
	}
	p := &pbVotePage{E: e, Pools: pools(e, projects), Paper: paper, Chosen: chosen, Voter: voter}
	if !paper {
		if p.HasVoted, err = s.Participation.HasVoted(r.Context(), e.ID); err != nil {
			return err
		}
	}
	p.Title = "pb.vote.title"
	if paper {
		p.Title = "pb.paper.title"
	}
	p.Section = "budget"
	p.Errors = errs
	s.render(w, r, code, p)
	return nil
}

// readBallot reads the voting form: ticked projects ("p" for approval, one
// radio group "p<pool>" per pool for choose-1), or a number per project
// ("n<ID>": points, or the place in order of preference).
func readBallot(form url.Values, e *participation.Edition, projects map[int64]*participation.PBProject) (participation.BallotInput, map[int64]string, error) {
	var in participation.BallotInput
	chosen := map[int64]string{}
	switch e.VoteType {
	case pabulib.Approval, pabulib.Choose1:
		for k, vs := range form {
			if k != "p" && !(e.VoteType == pabulib.Choose1 && strings.HasPrefix(k, "p")) {
				continue
			}
			for _, v := range vs {
				if id, err := strconv.ParseInt(v, 10, 64); err == nil {
					in.Projects = append(in.Projects, id)
					chosen[id] = "1"
				}
			}
		}
		sort.Slice(in.Projects, func(i, j int) bool { return in.Projects[i] < in.Projects[j] })
	default:
		type pick struct {
			id int64
			n  int
		}
		var picks []pick
		for k, v := range form {
			id, err := strconv.ParseInt(strings.TrimPrefix(k, "n"), 10, 64)
			if !strings.HasPrefix(k, "n") || err != nil || strings.TrimSpace(v[0]) == "" {
				continue
			}
			chosen[id] = v[0]
			code := strconv.FormatInt(id, 10)
			if p := projects[id]; p != nil {
				code = p.Code
			}
			n, err := strconv.Atoi(strings.TrimSpace(v[0]))
			if err != nil || n < 1 {
				field := "points"
				if e.VoteType == pabulib.Ordinal {
					field = "projects"
				}
				return in, chosen, ratusz.Invalid(field, "err.pb.rank", code)
			}
			picks = append(picks, pick{id, n})
		}
		sort.Slice(picks, func(i, j int) bool {
			return picks[i].n < picks[j].n || (picks[i].n == picks[j].n && picks[i].id < picks[j].id)
		})
		for i, pk := range picks {
			if e.VoteType == pabulib.Ordinal && i > 0 && picks[i-1].n == pk.n {
				return in, chosen, ratusz.Invalid("projects", "err.pb.rank_twice", pk.n)
			}
			in.Projects = append(in.Projects, pk.id)
			if e.VoteType != pabulib.Ordinal {
				in.Points = append(in.Points, pk.n)
			}
		}
	}
	return in, chosen, nil
}

type pbReceiptPage struct {
	Page
	E       *participation.Edition
	Receipt string
	Tag     string
	Paper   bool
	ListURL string // where the published ballots will be, in full (for the printout)
}

func (*pbReceiptPage) template() string { return "pb_receipt" }

func (s *Server) pbVote(w http.ResponseWriter, r *http.Request) error {
	paper := strings.HasSuffix(r.URL.Path, "/karta-papierowa")
	e, err := s.loadEdition(r)
	if err != nil {
		return err
	}
	if ratusz.ActorFromContext(r.Context()).Anonymous() && !paper {
		// Not signed in: to the sign-in, and back to the ballot as filled.
		next := fmt.Sprintf("/budzet-obywatelski/%d/glosuj?%s", e.ID, ballotFields(r.PostForm).Encode())
		http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return nil
	}
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return err
	}
	projects, err := s.Participation.Projects(r.Context(), e.ID, true)
	if err != nil {
		return err
	}
	byID := projectsByID(projects)
	in, chosen, err := readBallot(r.PostForm, e, byID)
	var code string
	if err == nil && !paper && r.PostForm.Get("confirm") != "1" {
		// The check step: the ballot as it will be cast, once more.
		if err = s.Participation.CheckBallot(r.Context(), e.ID, in); err == nil {
			return s.renderCheck(w, r, e, in, byID, r.PostForm)
		}
	}
	if err != nil {
		// refused below, with the form shown again
	} else if paper {
		code, err = s.Participation.PaperBallot(r.Context(), e.ID, r.PostForm.Get("voter"), in)
	} else {
		code, err = s.Participation.CastBallot(r.Context(), e.ID, in)
	}
	if err != nil {
		return s.showAgain(r, err, "projects", func(errs map[string]string) error {
			return s.renderVote(w, r, httpx.Status(err), e, paper, chosen, r.PostForm.Get("voter"), errs)
		})
	}
	p := &pbReceiptPage{E: e, Receipt: code, Tag: participation.ReceiptTag(code), Paper: paper,
		ListURL: s.Config.BaseURL.JoinPath("budzet-obywatelski", strconv.FormatInt(e.ID, 10), "karty").String()}
	p.Title = "pb.receipt.title"
	p.Section = "budget"
	s.render(w, r, http.StatusCreated, p)
	return nil
}

type pbBallotsPage struct {
	Page
	E          *participation.Edition
	Pending    string // while voting goes on: the day the list is to be published, or "-" if not planned
	List       []*participation.PublishedBallot
	Found      *participation.PublishedBallot
	Code       string
	Pagination pagination
}

func (*pbBallotsPage) template() string { return "pb_ballots" }

func (s *Server) pbBallots(w http.ResponseWriter, r *http.Request) error {
	e, err := s.loadEdition(r)
	if err != nil {
		return err
	}
	page, err := pageNumber(r)
	if err != nil {
		return err
	}
	if e.Phase != "results" {
		// Until the vote ends nobody sees the ballots (a list that grows
		// would tie each ballot to a moment): a page that says when.
		p := &pbBallotsPage{E: e, Pending: "-"}
		p.Lang = s.lang(r)
		if d, err := time.ParseInLocation("2006-01-02", e.Schedule["results"], warsaw); err == nil {
			p.Pending = p.Day(d)
		}
		p.Title = "pb.ballots.title"
		p.Section = "budget"
		s.render(w, r, http.StatusOK, p)
		return nil
	}
	const size = 100
	list, total, err := s.Participation.Ballots(r.Context(), e.ID, (page-1)*size, size)
	if err != nil {
		return err
	}
	p := &pbBallotsPage{E: e, List: list, Pagination: newPagination(r, page, total, size), Code: r.URL.Query().Get("kod")}
	code := http.StatusOK
	if p.Code != "" {
		if p.Found, err = s.Participation.FindBallot(r.Context(), e.ID, p.Code); err != nil {
			if ratusz.ErrorCode(err) != ratusz.EINVALID {
				return err
			}
			p.Errors = map[string]string{"kod": httpx.Message(s.lang(r), err)}
			code = http.StatusNotFound
		}
	}
	p.Title = "pb.ballots.title"
	p.Section = "budget"
	s.render(w, r, code, p)
	return nil
}

type pbResultsPage struct {
	Page
	E       *participation.Edition
	Results []*participation.DistrictResult
	Charts  map[int64]template.HTML
}

func (*pbResultsPage) template() string { return "pb_results" }

func (s *Server) pbResults(w http.ResponseWriter, r *http.Request) error {
	e, err := s.loadEdition(r)
	if err != nil {
		return err
	}
	results, err := s.Participation.Results(r.Context(), e.ID)
	if err != nil {
		return err
	}
	p := &pbResultsPage{E: e, Results: results, Charts: map[int64]template.HTML{}}
	p.Lang = s.lang(r)
	for _, res := range results {
		p.Charts[res.District.ID] = resultsChart(&p.Page, res)
	}
	p.Title = "pb.results.title"
	p.TitleArgs = []any{e.Name}
	p.Section = "budget"
	s.render(w, r, http.StatusOK, p)
	return nil
}

// resultsChart draws each project's votes as a bar, the winners dark; the
// same numbers are in the table under it.
func resultsChart(p *Page, res *participation.DistrictResult) template.HTML {
	var top int64 = 1
	for _, row := range res.Rows {
		top = max(top, row.Score)
	}
	var b strings.Builder
	var summary []string
	for _, row := range res.Rows {
		summary = append(summary, fmt.Sprintf("%s: %d", row.Project.Title, row.Score))
	}
	label := p.T("pb.results.chart", res.District.Name) + ": " + strings.Join(summary, "; ")
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 560 %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, len(res.Rows)*30+4, template.HTMLEscapeString(label))
	for i, row := range res.Rows {
		y := i * 30
		w := int(300 * row.Score / top)
		color := "#8aa4c2"
		if row.Selected {
			color = "#0b5394"
		}
		title := []rune(row.Project.Title)
		if len(title) > 28 {
			title = append(title[:27], '…')
		}
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="13" fill="#1b1f24">%s</text>`, y+19, template.HTMLEscapeString(string(title)))
		fmt.Fprintf(&b, `<rect x="200" y="%d" width="%d" height="22" fill="%s"></rect>`, y+4, w, color)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="#1b1f24">%d</text>`, 206+w, y+19, row.Score)
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

func (s *Server) pbExport(w http.ResponseWriter, r *http.Request) error {
	e, err := s.loadEdition(r)
	if err != nil {
		return err
	}
	d, err := strconv.ParseInt(strings.TrimSuffix(chi.URLParam(r, "district"), ".pb"), 10, 64)
	if err != nil {
		return ratusz.Errorf(ratusz.ENOTFOUND, "err.pb.district")
	}
	var buf strings.Builder
	if err := s.Participation.ExportPabulib(r.Context(), e.ID, d, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="budzet-%d-%d.pb"`, e.ID, d))
	w.Write([]byte(buf.String()))
	return nil
}

// renderCheck shows the ballot as it will be cast: the projects with their
// points or places, how many and what they cost together; "Oddaj głos"
// casts it, "Popraw wybór" goes back to the ballot as filled.
func (s *Server) renderCheck(w http.ResponseWriter, r *http.Request, e *participation.Edition, in participation.BallotInput, byID map[int64]*participation.PBProject, form url.Values) error {
	p := &pbVotePage{E: e, Check: true, Count: len(in.Projects)}
	for i, id := range in.Projects {
		proj := byID[id]
		if proj == nil {
			continue
		}
		v := ""
		switch {
		case i < len(in.Points):
			v = strconv.Itoa(in.Points[i])
		case e.VoteType == pabulib.Ordinal:
			v = strconv.Itoa(i + 1)
		}
		p.Picked = append(p.Picked, pbPicked{proj, v})
		p.Total += proj.Cost
	}
	fields := ballotFields(form)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range fields[k] {
			p.Fields = append(p.Fields, hiddenPair{k, v})
		}
	}
	p.Title = "pb.check.title"
	p.Section = "budget"
	s.render(w, r, http.StatusOK, p)
	return nil
}

// pbReceiptFile gives the receipt as a text file to keep: the code, and how
// to find the ballot with it once the list is published. The code comes in
// the form's body, never in an address that logs could keep; nothing of it
// is stored.
func (s *Server) pbReceiptFile(w http.ResponseWriter, r *http.Request) error {
	e, err := s.loadEdition(r)
	if err != nil {
		return err
	}
	code := strings.TrimSpace(r.PostForm.Get("kod"))
	if !receiptRe.MatchString(code) {
		return ratusz.Invalid("kod", "err.pb.receipt_format")
	}
	lang := s.lang(r)
	list := s.Config.BaseURL.String() + fmt.Sprintf("/budzet-obywatelski/%d/karty", e.ID)
	body := i18n.T(lang, "pb.receipt.file", s.Config.Municipality, e.Name, code, participation.ReceiptTag(code), list)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="potwierdzenie-glosu-%d.txt"`, e.ID))
	w.Header().Set("Cache-Control", "no-store")
	_, err = io.WriteString(w, body)
	return err
}

var receiptRe = regexp.MustCompile(`^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$`)
