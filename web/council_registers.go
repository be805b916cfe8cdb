package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
)

// calendarPage is a month of sessions of every body.
type calendarPage struct {
	Page
	Month      time.Time
	Weeks      [][]calendarDay
	Sessions   []*council.Session
	Bodies     map[int64]*council.Body
	Prev, Next string
}

func (*calendarPage) template() string { return "council_calendar" }

type calendarDay struct {
	Day      int // 0: outside the month
	Date     time.Time
	Sessions []*council.Session
	Today    bool
}

// MonthName is the month and year in the page's language.
func (p *calendarPage) MonthName() string {
	return p.T("month."+strconv.Itoa(int(p.Month.Month()))) + " " + strconv.Itoa(p.Month.Year())
}

func (s *Server) councilCalendarPage(w http.ResponseWriter, r *http.Request) error {
	now := time.Now().In(warsaw)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, warsaw)
	if m := r.URL.Query().Get("miesiac"); m != "" {
		t, err := time.ParseInLocation("2006-01", m, warsaw)
		if err != nil || t.Year() < 1990 || t.Year() > 2200 {
			return ratusz.Invalid("miesiac", "err.council.month")
		}
		month = t
	}
	next := month.AddDate(0, 1, 0)
	sessions, err := s.Council.SessionsBetween(r.Context(), month, next)
	if err != nil {
		return err
	}
	bodies, err := s.Council.Bodies(r.Context())
	if err != nil {
		return err
	}
	p := &calendarPage{Month: month, Sessions: sessions, Bodies: map[int64]*council.Body{},
		Prev: month.AddDate(0, -1, 0).Format("2006-01"), Next: next.Format("2006-01")}
	for _, b := range bodies {
		p.Bodies[b.ID] = b
	}
	// Weeks run Monday to Sunday, as Polish calendars print them.
	lead := (int(month.Weekday()) + 6) % 7
	var week []calendarDay
	for i := 0; i < lead; i++ {
		week = append(week, calendarDay{})
	}
	for d := month; d.Before(next); d = d.AddDate(0, 0, 1) {
		day := calendarDay{Day: d.Day(), Date: d, Today: d.Year() == now.Year() && d.YearDay() == now.YearDay()}
		for _, sess := range sessions {
			if t := sess.StartsAt.In(warsaw); t.Day() == d.Day() {
				day.Sessions = append(day.Sessions, sess)
			}
		}
		week = append(week, day)
		if len(week) == 7 {
			p.Weeks = append(p.Weeks, week)
			week = nil
		}
	}
	if len(week) > 0 {
		for len(week) < 7 {
			week = append(week, calendarDay{})
		}
		p.Weeks = append(p.Weeks, week)
	}
	p.Title = "council.calendar.title"
	p.Section = "council"
	s.render(w, r, http.StatusOK, p)
	return nil
}

// resolutionsPage is the register of resolutions.
type resolutionsPage struct {
	Page
	List       []*council.ResolutionEntry
	Years      []int
	Year       int
	Pagination pagination
}

func (*resolutionsPage) template() string { return "council_resolutions" }

func (s *Server) councilResolutions(w http.ResponseWriter, r *http.Request) error {
	page, err := pageNumber(r)
	if err != nil {
		return err
	}
	const size = 50
	f := council.ResolutionFilter{Limit: size, Offset: (page - 1) * size}
	if y := r.URL.Query().Get("rok"); y != "" {
		if f.Year, err = strconv.Atoi(y); err != nil || f.Year < 1990 || f.Year > 2200 {
			return ratusz.Invalid("rok", "err.council.year")
		}
	}
	list, total, err := s.Council.Resolutions(r.Context(), f)
	if err != nil {
		return err
	}
	years, err := s.Council.ResolutionYears(r.Context())
	if err != nil {
		return err
	}
	p := &resolutionsPage{List: list, Years: years, Year: f.Year, Pagination: newPagination(r, page, total, size)}
	p.Title = "council.resolutions.title"
	p.Section = "council"
	s.render(w, r, http.StatusOK, p)
	return nil
}

// clubsPage sums up each body's clubs.
type clubsPage struct {
	Page
	Bodies []bodyClubs
}

func (*clubsPage) template() string { return "council_clubs" }

type bodyClubs struct {
	Body  *council.Body
	Clubs []*council.ClubSummary
}

func (s *Server) councilClubs(w http.ResponseWriter, r *http.Request) error {
	bodies, err := s.Council.Bodies(r.Context())
	if err != nil {
		return err
	}
	p := &clubsPage{}
	for _, b := range bodies {
		clubs, err := s.Council.ClubSummaries(r.Context(), b.ID)
		if err != nil {
			return err
		}
		p.Bodies = append(p.Bodies, bodyClubs{b, clubs})
	}
	p.Title = "council.clubs.title"
	p.Section = "council"
	s.render(w, r, http.StatusOK, p)
	return nil
}
