package council

import (
	"context"
	"encoding/json"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/pg"
)

// The Radoskop JSON format (radoskop.pl), in which many Polish councils'
// terms are published: councillors with clubs, sessions with attendees,
// and votes with counts and named lists (indexes into councilor_index).
type radoskopTerm struct {
	ID          string   `json:"id"`
	Label       string   `json:"label"`
	Index       []string `json:"councilor_index"`
	Councillors []struct {
		Name string `json:"name"`
		Club string `json:"club"`
	} `json:"councilors"`
	Sessions []struct {
		Date      string   `json:"date"`
		Number    string   `json:"number"`
		Attendees []string `json:"attendees"`
	} `json:"sessions"`
	Votes []radoskopVote `json:"votes"`
}

type radoskopVote struct {
	ID          string           `json:"id"`
	SourceURL   string           `json:"source_url"`
	SessionDate string           `json:"session_date"`
	Topic       string           `json:"topic"`
	Druk        *string          `json:"druk"`
	Counts      map[string]int   `json:"counts"`
	Named       map[string][]int `json:"named_votes"`
}

// Radoskop's names for the choices.
var radoskopChoices = map[string]string{"za": "for", "przeciw": "against", "wstrzymal_sie": "abstain", "brak_glosu": "not_voting", "nieobecni": "absent"}

// ImportReport says what an import made.
type ImportReport struct {
	BodyID                              int64
	Councillors, Sessions, Items, Votes int
	Ballots                             int
}

// ImportRadoskop imports a term published in the Radoskop format as a new
// body: councillors, sessions with attendance, an agenda item per voted
// topic, and closed votes with the source's counts and named lists (kept as
// recorded). seats is the statutory size; 0 takes the largest attendance.
// The vote's outcome is decided by a simple majority, the source giving
// none.
func (s *Service) ImportRadoskop(ctx context.Context, r io.Reader, bodyName string, seats int) (*ImportReport, error) {
	if err := MayManage(ctx); err != nil {
		return nil, err
	}
	var t radoskopTerm
	dec := json.NewDecoder(r)
	if err := dec.Decode(&t); err != nil {
		return nil, ratusz.Invalid("file", "err.council.import_format", err.Error())
	}
	if len(t.Index) == 0 || len(t.Votes) == 0 {
		return nil, ratusz.Invalid("file", "err.council.import_format", "no councilor_index or votes")
	}
	if bodyName = strings.TrimSpace(bodyName); bodyName == "" {
		bodyName = "Rada — " + t.Label
	}
	if seats <= 0 {
		for _, sess := range t.Sessions {
			seats = max(seats, len(sess.Attendees))
		}
	}
	clubs := map[string]string{}
	for _, c := range t.Councillors {
		clubs[c.Name] = c.Club
	}
	rep := &ImportReport{}
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		source := "radoskop:" + t.ID + ":" + bodyName
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM council_bodies WHERE source = $1)", source).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.council.import_exists", bodyName)
		}
		if err := tx.QueryRow(ctx, "INSERT INTO council_bodies (name, statutory_size, source) VALUES ($1, $2, $3) RETURNING id",
			bodyName, max(seats, 1), source).Scan(&rep.BodyID); err != nil {
			return err
		}
		// Sessions in date order; those without a number are numbered in turn.
		sort.SliceStable(t.Sessions, func(i, j int) bool { return t.Sessions[i].Date < t.Sessions[j].Date })
		// The term runs from the first session; memberships from then.
		termStart := time.Now().In(warsaw)
		if len(t.Sessions) > 0 {
			if d, err := time.ParseInLocation("2006-01-02", t.Sessions[0].Date, warsaw); err == nil {
				termStart = d
			}
		}
		termName := strings.TrimSpace(t.Label)
		if termName == "" {
			termName = t.ID
		}
		var termID int64
		if err := tx.QueryRow(ctx, "INSERT INTO council_terms (body_id, name, starts_on) VALUES ($1, $2, $3) RETURNING id",
			rep.BodyID, termName, termStart).Scan(&termID); err != nil {
			return err
		}
		ids := make([]int64, len(t.Index))
		byName := map[string]int64{}
		for i, name := range t.Index {
			if err := tx.QueryRow(ctx, "INSERT INTO councillors (body_id, name, club, gender) VALUES ($1, $2, $3, $4) RETURNING id",
				rep.BodyID, name, clubs[name], GuessGender(name)).Scan(&ids[i]); err != nil {
				return err
			}
			if err := startMemberships(ctx, tx, ids[i], rep.BodyID, clubs[name], "member", termStart); err != nil {
				return err
			}
			byName[name] = ids[i]
			rep.Councillors++
		}
		sessions := map[string]int64{}
		used := map[int]bool{}
		for i, sess := range t.Sessions {
			n := parseSessionNumber(sess.Number)
			if n == 0 || used[n] {
				n = i + 1
				for used[n] {
					n++
				}
			}
			used[n] = true
			day, err := time.ParseInLocation("2006-01-02", sess.Date, warsaw)
			if err != nil {
				return ratusz.Invalid("file", "err.council.import_format", "session date "+sess.Date)
			}
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO council_sessions (body_id, term_id, number, starts_at, state) VALUES ($1, $2, $3, $4, 'closed') RETURNING id`,
				rep.BodyID, termID, n, day.Add(9*time.Hour)).Scan(&id); err != nil {
				return err
			}
			sessions[sess.Date] = id
			rep.Sessions++
			for _, name := range sess.Attendees {
				if cid, ok := byName[name]; ok {
					if _, err := tx.Exec(ctx, "INSERT INTO attendance (session_id, councillor_id, present) VALUES ($1, $2, true) ON CONFLICT DO NOTHING", id, cid); err != nil {
						return err
					}
				}
			}
		}
		items := map[string]int64{}
		var ballots [][]any
		for _, v := range t.Votes {
			sessionID, ok := sessions[v.SessionDate]
			if !ok {
				return ratusz.Invalid("file", "err.council.import_format", "vote "+v.ID+" has no session")
			}
			topic := strings.TrimSpace(v.Topic)
			if topic == "" {
				topic = "—"
			}
			key := v.SessionDate + "\x00" + topic
			item, ok := items[key]
			if !ok {
				label, title := splitLabel(topic)
				papers := []string{}
				if v.Druk != nil && *v.Druk != "" {
					papers = append(papers, *v.Druk)
				}
				if err := tx.QueryRow(ctx, `INSERT INTO agenda_items (session_id, position, label, title, papers)
					SELECT $1, count(*) + 1, $2, $3, $4 FROM agenda_items WHERE session_id = $1 RETURNING id`,
					sessionID, label, title, papers).Scan(&item); err != nil {
					return err
				}
				if err := linkPapers(ctx, tx, rep.BodyID, item, papers); err != nil {
					return err
				}
				items[key] = item
				rep.Items++
			}
			c := Counts{For: v.Counts["za"], Against: v.Counts["przeciw"], Abstain: v.Counts["wstrzymal_sie"], NotVoting: v.Counts["brak_glosu"], Absent: v.Counts["nieobecni"]}
			outcome := "rejected"
			if Simple.Adopted(c, seats) {
				outcome = "adopted"
			}
			var voteID int64
			if err := tx.QueryRow(ctx, `INSERT INTO votes (session_id, agenda_item_id, subject, majority, state, statutory_size, opened_at, closed_at,
					count_for, count_against, count_abstain, count_not_voting, count_absent, outcome, recorded_list, source_url)
				SELECT $1, $2, $3, 'simple', 'closed', $4, s.starts_at, s.starts_at, $5, $6, $7, $8, $9, $10, true, $11 FROM council_sessions s WHERE s.id = $1
				RETURNING id`, sessionID, item, topic, seats, c.For, c.Against, c.Abstain, c.NotVoting, c.Absent, outcome, v.SourceURL).Scan(&voteID); err != nil {
				return err
			}
			rep.Votes++
			seen := map[int]bool{}
			for key, choice := range radoskopChoices {
				for _, idx := range v.Named[key] {
					if idx < 0 || idx >= len(ids) || seen[idx] {
						continue
					}
					seen[idx] = true
					ballots = append(ballots, []any{voteID, ids[idx], choice})
				}
			}
		}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"ballots"}, []string{"vote_id", "councillor_id", "choice"}, pgx.CopyFromRows(ballots))
		rep.Ballots = int(n)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// parseSessionNumber reads "12", "XII" or "XII sesja"; 0 if none.
func parseSessionNumber(s string) int {
	s = strings.TrimSpace(strings.ToUpper(s))
	if f := strings.Fields(s); len(f) > 0 {
		s = f[0]
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 && n < 4000 {
		return n
	}
	for n := 1; n < 200; n++ {
		if Roman(n) == s {
			return n
		}
	}
	return 0
}

// splitLabel splits "17c. Title" into "17c" and "Title".
func splitLabel(topic string) (string, string) {
	head, rest, ok := strings.Cut(topic, ". ")
	if ok && len(head) <= 6 && head != "" && head[0] >= '0' && head[0] <= '9' {
		return head, rest
	}
	return "—", topic
}
