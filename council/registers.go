package council

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz/internal/pg"
)

// SessionsBetween returns every body's sessions starting in [from, to), in
// time order: the calendar.
func (s *Service) SessionsBetween(ctx context.Context, from, to time.Time) ([]*Session, error) {
	rows, _ := s.pool.Query(ctx, "SELECT "+sessionColumns+" FROM council_sessions WHERE starts_at >= $1 AND starts_at < $2 ORDER BY starts_at, id", from, to)
	return pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Session])
}

// ResolutionEntry is a line of the register of resolutions (rejestr uchwał).
type ResolutionEntry struct {
	Number        string
	Title         string
	AdoptedAt     time.Time
	BodyID        int64
	Body          string
	SessionID     int64
	Session       int
	VoteID        int64
	PublicationID *int64
	VoidedBy      *int64 // the re-vote that rejected it: not adopted after all
}

// ResolutionFilter selects from the register.
type ResolutionFilter struct {
	BodyID int64
	Year   int
	Limit  int
	Offset int
}

// Resolutions returns adopted resolutions, the latest first, and how many
// match.
func (s *Service) Resolutions(ctx context.Context, f ResolutionFilter) ([]*ResolutionEntry, int, error) {
	var w pg.Where
	if f.BodyID != 0 {
		w.Add("r.body_id = ?", f.BodyID)
	}
	if f.Year != 0 {
		w.Add("r.adopted_at >= ?", time.Date(f.Year, 1, 1, 0, 0, 0, 0, warsaw))
		w.Add("r.adopted_at < ?", time.Date(f.Year+1, 1, 1, 0, 0, 0, 0, warsaw))
	}
	var total int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM resolutions r"+w.SQL(), w.Args()...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	page, args := w.Page(f.Offset, f.Limit)
	rows, _ := s.pool.Query(ctx, `SELECT r.number, r.title, r.adopted_at, r.body_id, b.name, r.session_id, s.number, r.vote_id, r.publication_id, r.voided_by_vote_id
		FROM resolutions r JOIN council_bodies b ON b.id = r.body_id JOIN council_sessions s ON s.id = r.session_id`+w.SQL()+
		" ORDER BY r.adopted_at DESC, r.seq DESC"+page, args...)
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*ResolutionEntry, error) {
		e := &ResolutionEntry{}
		err := r.Scan(&e.Number, &e.Title, &e.AdoptedAt, &e.BodyID, &e.Body, &e.SessionID, &e.Session, &e.VoteID, &e.PublicationID, &e.VoidedBy)
		return e, err
	})
	return list, total, err
}

// ResolutionYears lists the years with resolutions, the latest first.
func (s *Service) ResolutionYears(ctx context.Context) ([]int, error) {
	rows, _ := s.pool.Query(ctx, `SELECT DISTINCT extract(year FROM adopted_at AT TIME ZONE 'Europe/Warsaw')::int AS y FROM resolutions ORDER BY y DESC`)
	return pgx.CollectRows(rows, pgx.RowTo[int])
}

// ClubSummary is how a club of a body attends and votes.
type ClubSummary struct {
	Name     string
	Members  []*Councillor
	Attended int // attendances of the club's members at held sessions
	Possible int // members × sessions held
	Choices  map[string]int
	Votes    int // closed votes in which the club had a named choice
	United   int // of those, votes where every member present chose alike
}

// AttendancePercent is the club's attendance, in per cent.
func (c *ClubSummary) AttendancePercent() int {
	if c.Possible == 0 {
		return 0
	}
	return (200*c.Attended + c.Possible) / (2 * c.Possible)
}

// CohesionPercent is how often the club voted as one, in per cent.
func (c *ClubSummary) CohesionPercent() int {
	if c.Votes == 0 {
		return 0
	}
	return (200*c.United + c.Votes) / (2 * c.Votes)
}

// ClubSummaries returns a body's clubs with their attendance and votes, by
// the same rules as the named lists. Members are the current ones.
func (s *Service) ClubSummaries(ctx context.Context, bodyID int64) ([]*ClubSummary, error) {
	members, err := s.Councillors(ctx, bodyID)
	if err != nil {
		return nil, err
	}
	byName := map[string]*ClubSummary{}
	var out []*ClubSummary
	for _, m := range members {
		c := byName[m.Club]
		if c == nil {
			c = &ClubSummary{Name: m.Club, Choices: map[string]int{}}
			byName[m.Club] = c
			out = append(out, c)
		}
		c.Members = append(c.Members, m)
	}
	rows, err := s.pool.Query(ctx, `SELECT c.club, count(*) FILTER (WHERE a.present), count(*) FROM council_sessions s
		JOIN councillors c ON c.body_id = s.body_id AND c.active
		LEFT JOIN attendance a ON a.session_id = s.id AND a.councillor_id = c.id
		WHERE s.body_id = $1 AND s.state <> 'planned' GROUP BY c.club`, bodyID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var club string
		var att, possible int
		if err := rows.Scan(&club, &att, &possible); err != nil {
			rows.Close()
			return nil, err
		}
		if c := byName[club]; c != nil {
			c.Attended, c.Possible = att, possible
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// One row per club and vote: the choices of its members; a club is
	// united in a vote when all its members who voted chose alike.
	rows, err = s.pool.Query(ctx, `WITH entries AS (
			SELECT v.id AS vote, c.club, `+choiceSQL+` AS choice
			FROM votes v JOIN council_sessions s ON s.id = v.session_id
			JOIN councillors c ON c.body_id = s.body_id AND c.active
			LEFT JOIN ballots b ON b.vote_id = v.id AND b.councillor_id = c.id
			LEFT JOIN attendance a ON a.session_id = v.session_id AND a.councillor_id = c.id
			WHERE s.body_id = $1 AND v.state = 'closed' AND v.mode <> 'secret')
		SELECT club, choice, count(*), NULL::boolean FROM entries WHERE choice IS NOT NULL GROUP BY club, choice
		UNION ALL
		SELECT club, NULL, count(*), count(DISTINCT choice) FILTER (WHERE choice IN ('for', 'against', 'abstain')) <= 1
		FROM entries WHERE choice IN ('for', 'against', 'abstain') GROUP BY club, vote`, bodyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var club string
		var choice *string
		var n int
		var united *bool
		if err := rows.Scan(&club, &choice, &n, &united); err != nil {
			return nil, err
		}
		c := byName[club]
		if c == nil {
			continue
		}
		if choice != nil {
			c.Choices[*choice] += n
		} else {
			c.Votes++
			if united != nil && *united {
				c.United++
			}
		}
	}
	return out, rows.Err()
}
