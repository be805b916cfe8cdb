package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/web/httpx"
)

type interpellationsPage struct {
	Page
	List       []*council.Interpellation
	Today      time.Time
	Status     string
	Kind       string
	Councillor string
	Pagination pagination
	MayFile    bool
}

func (*interpellationsPage) template() string { return "council_interpellations" }

// Status is an interpellation's state today.
func (p *interpellationsPage) StatusOf(i *council.Interpellation) string { return i.Status(p.Today) }

func todayUTC() time.Time {
	y, m, d := time.Now().In(warsaw).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (s *Server) interpellations(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := &interpellationsPage{Today: todayUTC(), Status: q.Get("stan"), Kind: q.Get("rodzaj"), Councillor: q.Get("radny")}
	p.Lang = s.lang(r) // the handler translates messages before render
	p.Title = "council.int.title"
	p.Section = "council"
	f := council.InterpellationFilter{Status: p.Status, Kind: p.Kind, Limit: 50}
	p.Errors = map[string]string{}
	switch p.Status {
	case "", "answered", "awaiting", "overdue":
	default:
		p.Errors["stan"] = p.T("err.council.status")
	}
	switch p.Kind {
	case "", "interpelacja", "zapytanie", "wniosek":
	default:
		p.Errors["rodzaj"] = p.T("err.council.kind")
	}
	if p.Councillor != "" {
		id, err := strconv.ParseInt(p.Councillor, 10, 64)
		if err != nil {
			p.Errors["radny"] = p.T("err.number")
		}
		f.CouncillorID = id
	}
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, p)
		return nil
	}
	page, err := pageNumber(r)
	if err != nil {
		return err
	}
	f.Offset = (page - 1) * 50
	var total int
	if p.List, total, err = s.Council.Interpellations(r.Context(), f); err != nil {
		return err
	}
	p.Pagination = newPagination(r, page, total, 50)
	if bodies, err := s.Council.MyBodies(r.Context()); err == nil && len(bodies) > 0 {
		p.MayFile = true
	}
	s.render(w, r, http.StatusOK, p)
	return nil
}

type interpellationPage struct {
	Page
	I        *council.Interpellation
	Status   string
	BIPURL   string
	MayReply bool
	Answer   string
}

func (*interpellationPage) template() string { return "council_interpellation" }

func (s *Server) renderInterpellation(w http.ResponseWriter, r *http.Request, code int, i *council.Interpellation, errs map[string]string, answer string) {
	p := &interpellationPage{I: i, Status: i.Status(todayUTC()), Answer: answer,
		MayReply: i.AnsweredOn == nil && council.MayManage(r.Context()) == nil}
	p.Lang = s.lang(r) // the handler translates messages before render
	if i.PublicationID != nil {
		p.BIPURL = fmt.Sprintf("/bip/publikacje/%d", *i.PublicationID)
	}
	p.Title = "council.int.one"
	p.TitleArgs = []any{i.Number}
	p.Section = "council"
	p.Errors = errs
	if r.URL.Query().Get("zapisano") != "" {
		p.Notice = p.T("council.device.saved")
	}
	s.render(w, r, code, p)
}

func (s *Server) interpellation(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	i, err := s.Council.InterpellationByID(r.Context(), id)
	if err != nil {
		return err
	}
	s.renderInterpellation(w, r, http.StatusOK, i, nil, "")
	return nil
}

func (s *Server) answerInterpellation(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	answer := r.PostForm.Get("answer")
	if _, err := s.Council.AnswerInterpellation(r.Context(), id, answer); err != nil {
		if c := ratusz.ErrorCode(err); c == ratusz.EINVALID || c == ratusz.ECONFLICT {
			i, ferr := s.Council.InterpellationByID(r.Context(), id)
			if ferr != nil {
				return ferr
			}
			s.renderInterpellation(w, r, httpx.Status(err), i, map[string]string{"answer": httpx.Message(s.lang(r), err)}, answer)
			return nil
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/rada/interpelacje/%d?zapisano=1", id), http.StatusSeeOther)
	return nil
}

type fileInterpellationPage struct {
	Page
	Bodies                 []*council.Body
	Kind, Subject, Content string
}

func (*fileInterpellationPage) template() string { return "council_interpellation_new" }

func (s *Server) fileInterpellationForm(w http.ResponseWriter, r *http.Request) error {
	bodies, err := s.Council.MyBodies(r.Context())
	if err != nil {
		return err
	}
	if len(bodies) == 0 {
		return ratusz.Errorf(ratusz.EFORBIDDEN, "err.council.not_councillor")
	}
	p := &fileInterpellationPage{Bodies: bodies, Kind: "interpelacja"}
	p.Title = "council.int.new"
	p.Section = "council"
	s.render(w, r, http.StatusOK, p)
	return nil
}

func (s *Server) fileInterpellation(w http.ResponseWriter, r *http.Request) error {
	bodies, err := s.Council.MyBodies(r.Context())
	if err != nil {
		return err
	}
	if len(bodies) == 0 {
		return ratusz.Errorf(ratusz.EFORBIDDEN, "err.council.not_councillor")
	}
	p := &fileInterpellationPage{Bodies: bodies, Kind: r.PostForm.Get("kind"), Subject: r.PostForm.Get("subject"), Content: r.PostForm.Get("content")}
	i, err := s.Council.File(r.Context(), bodies[0].ID, p.Kind, p.Subject, p.Content)
	if err != nil {
		if ratusz.ErrorCode(err) == ratusz.EINVALID {
			p.Title = "council.int.new"
			p.Section = "council"
			p.Errors = map[string]string{ratusz.ErrorField(err): httpx.Message(s.lang(r), err)}
			s.render(w, r, http.StatusBadRequest, p)
			return nil
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/rada/interpelacje/%d?zapisano=1", i.ID), http.StatusSeeOther)
	return nil
}
