package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/web/httpx"
)

// icsText escapes a value for iCalendar (RFC 5545 §3.3.11).
func icsText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`).Replace(s)
}

// icsLine writes a content line folded at 75 octets, ending in CRLF, never
// splitting a UTF-8 sequence.
func icsLine(b *strings.Builder, line string) {
	for len(line) > 75 {
		cut := 75
		for cut > 0 && line[cut]&0xC0 == 0x80 {
			cut--
		}
		b.WriteString(line[:cut] + "\r\n ")
		line = line[cut:]
	}
	b.WriteString(line + "\r\n")
}

// councilCalendar is an iCalendar feed of every body's sessions.
func (s *Server) councilCalendar(w http.ResponseWriter, r *http.Request) error {
	bodies, err := s.Council.Bodies(r.Context())
	if err != nil {
		return err
	}
	host := s.Config.BaseURL.Hostname()
	base := s.Config.BaseURL.String()
	now := time.Now().UTC().Format("20060102T150405Z")
	var b strings.Builder
	for _, l := range []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ratusz//e-Rada//PL", "CALSCALE:GREGORIAN",
		"X-WR-CALNAME:" + icsText(s.Config.Municipality+" — sesje rady")} {
		icsLine(&b, l)
	}
	for _, body := range bodies {
		sessions, err := s.Council.Sessions(r.Context(), body.ID)
		if err != nil {
			return err
		}
		for _, sess := range sessions {
			summary := "Sesja " + sess.Roman() + " — " + body.Name
			if sess.Title != "" {
				summary += ": " + sess.Title
			}
			for _, l := range []string{
				"BEGIN:VEVENT",
				fmt.Sprintf("UID:session-%d@%s", sess.ID, host),
				"DTSTAMP:" + now,
				"DTSTART:" + sess.StartsAt.UTC().Format("20060102T150405Z"),
				"DTEND:" + sess.StartsAt.Add(4*time.Hour).UTC().Format("20060102T150405Z"),
				"SUMMARY:" + icsText(summary),
				"LOCATION:" + icsText(sess.Place),
				fmt.Sprintf("URL:%s/rada/sesje/%d", base, sess.ID),
				"STATUS:CONFIRMED",
				"END:VEVENT",
			} {
				icsLine(&b, l)
			}
		}
	}
	icsLine(&b, "END:VCALENDAR")
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="sesje.ics"`)
	w.Write([]byte(b.String()))
	return nil
}

// csvCell keeps a spreadsheet from reading a cell as a formula.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func writeCSV(w http.ResponseWriter, name string, rows [][]string) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write([]byte("\xef\xbb\xbf")) // so spreadsheets read the Polish letters as UTF-8
	cw := csv.NewWriter(w)
	for _, r := range rows {
		for i := range r {
			r[i] = csvCell(r[i])
		}
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return nil
}

// votesCSV exports a session's votes (?sesja=ID) or all closed votes.
func (s *Server) votesCSV(w http.ResponseWriter, r *http.Request) error {
	var votes []*council.Vote
	var err error
	if v := r.URL.Query().Get("sesja"); v != "" {
		id, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil {
			return ratusz.Invalid("sesja", "err.number")
		}
		if _, err := s.Council.SessionByID(r.Context(), id); err != nil {
			return err
		}
		votes, err = s.Council.SessionVotes(r.Context(), id)
	} else {
		for before := int64(0); ; {
			page, err := s.Council.Votes(r.Context(), council.VoteFilter{Before: before, Limit: 100})
			if err != nil {
				return err
			}
			votes = append(votes, page...)
			if len(page) < 100 {
				break
			}
			before = page[len(page)-1].ID
		}
	}
	if err != nil {
		return err
	}
	rows := [][]string{{"vote_id", "session_id", "session_date", "subject", "majority", "state", "outcome", "for", "against", "abstain", "not_voting", "absent", "repeats", "superseded_by"}}
	for _, v := range votes {
		row := []string{strconv.FormatInt(v.ID, 10), strconv.FormatInt(v.SessionID, 10), v.SessionDate.In(warsaw).Format("2006-01-02"), v.Subject, string(v.Majority), v.State, "", "", "", "", "", "", "", ""}
		if v.RepeatsID != nil {
			row[12] = strconv.FormatInt(*v.RepeatsID, 10)
		}
		if v.SupersededBy != nil {
			row[13] = strconv.FormatInt(*v.SupersededBy, 10)
		}
		if v.Outcome != nil {
			row[6] = *v.Outcome
		}
		if c := v.Counts; c != nil {
			row[7], row[8], row[9], row[10], row[11] = strconv.Itoa(c.For), strconv.Itoa(c.Against), strconv.Itoa(c.Abstain), strconv.Itoa(c.NotVoting), strconv.Itoa(c.Absent)
		}
		rows = append(rows, row)
	}
	return writeCSV(w, "glosowania.csv", rows)
}

// voteCSV exports one vote's named list.
func (s *Server) voteCSV(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := s.Council.Vote(r.Context(), id)
	if err != nil {
		return err
	}
	rows := [][]string{{"councillor", "club", "choice"}}
	for _, b := range v.Ballots {
		rows = append(rows, []string{b.Councillor, b.Club, b.Choice})
	}
	return writeCSV(w, fmt.Sprintf("glosowanie-%d.csv", v.ID), rows)
}
