package participation

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/pg"
	"github.com/ratusz/ratusz/participation/pabulib"
)

// BallotInput is a ballot: the projects chosen (in order of preference for
// ordinal ballots) and, for cumulative and scoring ballots, the points given
// to each.
type BallotInput struct {
	Projects []int64 `json:"projects"`
	Points   []int   `json:"points"`
}

// checkBallot refuses a ballot that breaks one of the edition's rules,
// saying which; the rules apply within each district's pool.
func checkBallot(e *Edition, onBallot map[int64]*PBProject, in BallotInput) error {
	if len(in.Projects) == 0 {
		return ratusz.Invalid("projects", "err.pb.empty")
	}
	if e.VoteType.HasPoints() != (len(in.Points) > 0) || (len(in.Points) > 0 && len(in.Points) != len(in.Projects)) {
		if e.VoteType.HasPoints() {
			return ratusz.Invalid("points", "err.pb.points_needed")
		}
		return ratusz.Invalid("points", "err.pb.no_points")
	}
	type pool struct {
		n, points int
		cost      int64
	}
	pools := map[int64]*pool{}
	seen := map[int64]bool{}
	for i, id := range in.Projects {
		p := onBallot[id]
		if p == nil {
			return ratusz.Invalid("projects", "err.pb.not_on_ballot", id)
		}
		if seen[id] {
			return ratusz.Invalid("projects", "err.pb.duplicate", p.Code)
		}
		seen[id] = true
		d := pools[p.DistrictID]
		if d == nil {
			d = &pool{}
			pools[p.DistrictID] = d
		}
		d.n++
		d.cost += p.Cost
		if len(in.Points) > 0 {
			pt := in.Points[i]
			if pt < 1 {
				return ratusz.Invalid("points", "err.pb.points_min", p.Code)
			}
			if e.VoteType == pabulib.Scoring && e.MaxPoints != nil && pt > *e.MaxPoints {
				return ratusz.Invalid("points", "err.pb.points_max", p.Code, *e.MaxPoints)
			}
			d.points += pt
		}
	}
	for _, dist := range e.Districts {
		d := pools[dist.ID]
		if d == nil {
			continue // a voter may leave a district out
		}
		switch {
		case e.VoteType == pabulib.Choose1 && d.n != 1:
			return ratusz.Invalid("projects", "err.pb.choose_one", dist.Name)
		case d.n < e.MinLength:
			return ratusz.Invalid("projects", "err.pb.too_few", dist.Name, d.n, e.MinLength)
		case e.MaxLength != nil && d.n > *e.MaxLength:
			return ratusz.Invalid("projects", "err.pb.too_many", dist.Name, d.n, *e.MaxLength)
		case e.MaxSumCost != nil && d.cost > *e.MaxSumCost:
			return ratusz.Invalid("projects", "err.pb.too_expensive", dist.Name, FormatPLN(d.cost), FormatPLN(*e.MaxSumCost))
		case e.VoteType == pabulib.Cumulative && e.MaxSumPoints != nil && d.points > *e.MaxSumPoints:
			return ratusz.Invalid("points", "err.pb.points_sum", dist.Name, d.points, *e.MaxSumPoints)
		}
	}
	return nil
}

// CastBallot records the acting resident's ballot and returns their
// receipt code. Who voted and what was voted go to two tables with nothing
// in common: no shared key, no time, and ballots listed by a random id. A
// ballot is durable before the code is returned; it cannot be changed.
func (s *Service) CastBallot(ctx context.Context, editionID int64, in BallotInput) (string, error) {
	// Residents vote; a staff account (an admin, the office) does not,
	// though its holder may vote from their own resident account.
	actor := ratusz.ActorFromContext(ctx)
	if err := mayVoteOnline(actor); err != nil {
		return "", err
	}
	return s.cast(ctx, editionID, in, "user:"+fmt.Sprint(actor.UserID), "online", func(e *Edition) error {
		return eligibleOnline(actor, e)
	})
}

// mayVoteOnline: residents vote online; a staff account does not.
func mayVoteOnline(a ratusz.Actor) error {
	if err := a.Require(); err != nil {
		return err
	}
	if !a.Holds(ratusz.RoleResident) {
		return ratusz.Errorf(ratusz.EFORBIDDEN, "err.forbidden")
	}
	return nil
}

// eligibleOnline: an edition may take only verified residents.
func eligibleOnline(a ratusz.Actor, e *Edition) error {
	if e.RequireVerified && !a.Verified {
		return ratusz.Errorf(ratusz.EFORBIDDEN, "err.pb.verified_only")
	}
	return nil
}

// CheckBallot says whether a ballot would be taken, without casting it:
// the check step a resident sees before the cast that cannot be undone.
func (s *Service) CheckBallot(ctx context.Context, editionID int64, in BallotInput) error {
	actor := ratusz.ActorFromContext(ctx)
	if err := mayVoteOnline(actor); err != nil {
		return err
	}
	e, onBallot, err := s.ballotPaper(ctx, editionID)
	if err != nil {
		return err
	}
	if e.Phase != "voting" {
		return ratusz.Errorf(ratusz.ECONFLICT, "err.pb.not_voting")
	}
	if err := eligibleOnline(actor, e); err != nil {
		return err
	}
	if voted, err := s.HasVoted(ctx, editionID); err != nil || voted {
		if err == nil {
			err = ratusz.Errorf(ratusz.ECONFLICT, "err.pb.already_voted")
		}
		return err
	}
	return checkBallot(e, onBallot, in)
}

// PaperBallot enters a paper ballot for a voter identified by what they
// showed (an e-mail address of their account, or a document number); it is
// refused if the same voter has voted, online or on paper.
func (s *Service) PaperBallot(ctx context.Context, editionID int64, identity string, in BallotInput) (string, error) {
	if err := mayManage(ctx); err != nil {
		return "", err
	}
	identity = strings.ToLower(strings.TrimSpace(identity))
	if identity == "" {
		return "", ratusz.Invalid("voter", "err.required")
	}
	e, _, err := s.ballotPaper(ctx, editionID)
	if err != nil {
		return "", err
	}
	key := ""
	var uid int64
	err = s.pool.QueryRow(ctx, "SELECT id FROM users WHERE lower(email) = $1", identity).Scan(&uid)
	switch {
	case err == nil:
		key = "user:" + fmt.Sprint(uid)
	case errors.Is(err, pgx.ErrNoRows) && e.BallotKey == nil:
		// An edition whose vote opened before migration 0019 goes on
		// recording paper voters as it did, so nobody votes twice.
		sum := sha256.Sum256([]byte("ratusz-pb-voter:" + identity))
		key = "id:" + hex.EncodeToString(sum[:])
	case errors.Is(err, pgx.ErrNoRows):
		// A document number has few enough values to try them all against
		// a plain hash; keyed with a secret kept outside the database it
		// cannot be.
		if len(s.voterKey) == 0 {
			return "", fmt.Errorf("participation: no voter key set for paper ballots")
		}
		mac := hmac.New(sha256.New, s.voterKey)
		mac.Write([]byte("ratusz-pb-voter:" + identity))
		key = "id:" + hex.EncodeToString(mac.Sum(nil))
	default:
		return "", err
	}
	return s.cast(ctx, editionID, in, key, "paper", func(*Edition) error { return nil })
}

func (s *Service) cast(ctx context.Context, editionID int64, in BallotInput, voterKey, channel string, eligible func(*Edition) error) (string, error) {
	return s.castTry(ctx, editionID, in, voterKey, channel, eligible, true)
}

// castTry casts once; when the edition's key changed since it was read
// (the vote reopened with a new key), it reads the edition again and, if
// retry, casts again under the new key.
func (s *Service) castTry(ctx context.Context, editionID int64, in BallotInput, voterKey, channel string, eligible func(*Edition) error, retry bool) (string, error) {
	e, onBallot, err := s.ballotPaper(ctx, editionID)
	if err != nil {
		return "", err
	}
	if e.Phase != "voting" {
		return "", ratusz.Errorf(ratusz.ECONFLICT, "err.pb.not_voting")
	}
	if err := eligible(e); err != nil {
		return "", err
	}
	if err := checkBallot(e, onBallot, in); err != nil {
		return "", err
	}
	var points []int32
	for _, p := range in.Points {
		points = append(points, int32(p))
	}
	code, hash := newReceipt()
	// One statement, committed on its own: the edition still in voting
	// (locked against the end of the vote, so no acknowledged ballot misses
	// the count), the voter not yet recorded, then the voter and the sealed
	// ballot, which holds the receipt's hash too: nothing stored in this
	// transaction says what was voted to whoever lacks the edition's key.
	var stored bool
	if e.BallotKey != nil {
		sealed, err := seal(e.BallotKey, e.ID, sealedBallot{Receipt: hash, Projects: in.Projects, Points: points, Channel: channel}, sealedSize(len(onBallot)))
		if err != nil {
			return "", err
		}
		// Sealed under the key the edition still has: a ballot sealed under
		// a key replaced meanwhile could never be opened.
		err = s.pool.QueryRow(ctx, `WITH e AS (SELECT id FROM pb_editions WHERE id = $1 AND phase = 'voting' AND ballot_key = $4 FOR SHARE),
				v AS (INSERT INTO pb_voters (edition_id, voter_key) SELECT id, $2 FROM e ON CONFLICT DO NOTHING RETURNING edition_id),
				b AS (INSERT INTO pb_sealed_ballots (edition_id, sealed) SELECT edition_id, $3 FROM v RETURNING 1)
			SELECT EXISTS (SELECT 1 FROM b)`, editionID, voterKey, sealed, e.BallotKey).Scan(&stored)
		if err != nil {
			return "", err
		}
	} else {
		// An edition whose vote opened before ballots were sealed
		// (migration 0019) takes them as it did then.
		err = s.pool.QueryRow(ctx, `WITH e AS (SELECT id FROM pb_editions WHERE id = $1 AND phase = 'voting' FOR SHARE),
				v AS (INSERT INTO pb_voters (edition_id, voter_key) SELECT id, $2 FROM e ON CONFLICT DO NOTHING RETURNING edition_id),
				b AS (INSERT INTO pb_ballots (id, edition_id, receipt_hash, projects, points, channel)
					SELECT gen_random_uuid(), edition_id, $4, $5, $6, $3 FROM v RETURNING 1)
			SELECT EXISTS (SELECT 1 FROM b)`, editionID, voterKey, channel, hash, in.Projects, points).Scan(&stored)
		if err != nil {
			return "", err
		}
	}
	if !stored {
		var phase string
		var key []byte
		if err := s.pool.QueryRow(ctx, "SELECT phase, ballot_key FROM pb_editions WHERE id = $1", editionID).Scan(&phase, &key); err != nil {
			return "", err
		}
		if phase != "voting" {
			return "", ratusz.Errorf(ratusz.ECONFLICT, "err.pb.not_voting")
		}
		if !bytes.Equal(key, e.BallotKey) && retry {
			s.forget(editionID)
			return s.castTry(ctx, editionID, in, voterKey, channel, eligible, false)
		}
		return "", ratusz.Errorf(ratusz.ECONFLICT, "err.pb.already_voted")
	}
	return code, nil
}

// ballotPaper returns an edition in voting and the projects on its ballot,
// read once and kept for a few seconds: during voting neither changes (an
// edition goes back before voting only while no ballot is cast), and the
// statement that stores a ballot checks the phase again.
func (s *Service) ballotPaper(ctx context.Context, editionID int64) (*Edition, map[int64]*PBProject, error) {
	s.cacheMu.Lock()
	c, ok := s.cache[editionID]
	s.cacheMu.Unlock()
	if ok && time.Since(c.at) < 5*time.Second {
		return c.e, c.onBallot, nil
	}
	e, err := s.Edition(ctx, editionID)
	if err != nil {
		return nil, nil, err
	}
	projects, err := s.Projects(ctx, editionID, true)
	if err != nil {
		return nil, nil, err
	}
	onBallot := map[int64]*PBProject{}
	for _, p := range projects {
		onBallot[p.ID] = p
	}
	if e.Phase == "voting" {
		s.cacheMu.Lock()
		if s.cache == nil {
			s.cache = map[int64]ballotPaper{}
		}
		s.cache[editionID] = ballotPaper{e, onBallot, time.Now()}
		s.cacheMu.Unlock()
	}
	return e, onBallot, nil
}

// forget drops an edition's cached ballot paper.
func (s *Service) forget(editionID int64) {
	s.cacheMu.Lock()
	delete(s.cache, editionID)
	s.cacheMu.Unlock()
}

type ballotPaper struct {
	e        *Edition
	onBallot map[int64]*PBProject
	at       time.Time
}

// HasVoted reports whether the acting resident has voted in an edition.
func (s *Service) HasVoted(ctx context.Context, editionID int64) (bool, error) {
	a := ratusz.ActorFromContext(ctx)
	if a.Anonymous() {
		return false, nil
	}
	var ok bool
	err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pb_voters WHERE edition_id = $1 AND voter_key = $2)", editionID, "user:"+fmt.Sprint(a.UserID)).Scan(&ok)
	return ok, err
}

// PublishedBallot is a ballot in the published, anonymised list.
type PublishedBallot struct {
	ID       string   `json:"id"`
	Receipt  string   `json:"receipt"` // the start of the receipt's hash
	Projects []string `json:"projects"`
	Points   []int32  `json:"points,omitempty"`
	Channel  string   `json:"channel"`
}

// Ballots returns a page of an edition's anonymised ballots (by their
// random id) and how many there are. They are public once voting ends.
func (s *Service) Ballots(ctx context.Context, editionID int64, offset, limit int) ([]*PublishedBallot, int, error) {
	e, err := s.Edition(ctx, editionID)
	if err != nil {
		return nil, 0, err
	}
	// Nobody, the office included, sees ballots while voting is open:
	// successive lists would tie each new ballot to a moment.
	if e.Phase != "results" {
		return nil, 0, ratusz.Errorf(ratusz.ECONFLICT, "err.pb.ballots_after_voting")
	}
	var total int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM pb_ballots WHERE edition_id = $1", editionID).Scan(&total); err != nil {
		return nil, 0, err
	}
	list, err := s.ballotRows(ctx, "b.edition_id = $1 ORDER BY b.id OFFSET $2 LIMIT $3", editionID, offset, limit)
	return list, total, err
}

// FindBallot finds the ballot of a receipt code: only its holder can.
func (s *Service) FindBallot(ctx context.Context, editionID int64, code string) (*PublishedBallot, error) {
	list, err := s.ballotRows(ctx, "b.edition_id = $1 AND b.receipt_hash = $2", editionID, receiptHash(code))
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, ratusz.Invalid("kod", "err.pb.receipt_unknown")
	}
	return list[0], nil
}

func (s *Service) ballotRows(ctx context.Context, where string, args ...any) ([]*PublishedBallot, error) {
	rows, _ := s.pool.Query(ctx, `SELECT b.id::text, b.receipt_hash, b.channel, b.points,
			array(SELECT p.code FROM unnest(b.projects) WITH ORDINALITY u(id, n) JOIN pb_projects p ON p.id = u.id ORDER BY u.n)
		FROM pb_ballots b WHERE `+where, args...)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*PublishedBallot, error) {
		b := &PublishedBallot{}
		var hash []byte
		if err := r.Scan(&b.ID, &hash, &b.Channel, &b.Points, &b.Projects); err != nil {
			return nil, err
		}
		b.Receipt = hex.EncodeToString(hash)[:12]
		return b, nil
	})
}

// ReceiptTag is what the published list shows of a receipt code: a voter
// can check it is theirs.
func ReceiptTag(code string) string { return hex.EncodeToString(receiptHash(code))[:12] }

// DistrictResult is a pool's outcome.
type DistrictResult struct {
	District *District   `json:"district"`
	Rows     []ResultRow `json:"projects"`
	Spent    int64       `json:"spent"`
	Ballots  int         `json:"ballots"`
}

// ResultRow is a project's score and whether it won.
type ResultRow struct {
	Project  *PBProject `json:"project"`
	Score    int64      `json:"score"`
	Selected bool       `json:"selected"`
	Rank     int        `json:"rank"`
}

// instanceOf builds a pool's pabulib instance: its projects on the ballot
// in ballot order and each ballot's choices among them.
func instanceOf(ctx context.Context, q pg.Querier, e *Edition, d *District, projects []*PBProject) (*pabulib.Instance, []*PBProject, int, error) {
	in := &pabulib.Instance{Budget: d.Budget, Scale: 2, VoteType: e.VoteType, Meta: []pabulib.MetaEntry{{Key: "rule", Value: e.Rule}}}
	for _, m := range e.Meta {
		switch m.Key {
		case "rule", "budget", "vote_type":
		default:
			in.Meta = append(in.Meta, m)
		}
	}
	if comment, ok := in.MetaValue("comment"); ok {
		in.Exclusions = pabulib.ExclusionsFromComment(comment)
	}
	idx := map[int64]int32{}
	var mine []*PBProject
	for _, p := range projects {
		if p.DistrictID == d.ID && p.Status == "accepted" {
			idx[p.ID] = int32(len(in.Projects))
			in.Projects = append(in.Projects, pabulib.Project{ID: p.Code, Cost: p.Cost})
			mine = append(mine, p)
		}
	}
	rows, err := q.Query(ctx, "SELECT projects, points FROM pb_ballots WHERE edition_id = $1 ORDER BY id", e.ID)
	if err != nil {
		return nil, nil, 0, err
	}
	defer rows.Close()
	voters := 0
	for rows.Next() {
		var ids []int64
		var points []int32
		if err := rows.Scan(&ids, &points); err != nil {
			return nil, nil, 0, err
		}
		var b pabulib.Ballot
		for i, id := range ids {
			if j, ok := idx[id]; ok {
				b.Projects = append(b.Projects, j)
				if len(points) > i {
					b.Points = append(b.Points, int64(points[i]))
				}
			}
		}
		if len(b.Projects) > 0 {
			b.VoterID = fmt.Sprint(voters + 1)
			in.Ballots = append(in.Ballots, b)
			voters++
		}
	}
	return in, mine, voters, rows.Err()
}

// computeResults runs the edition's rule in every pool.
func computeResults(ctx context.Context, q pg.Querier, e *Edition) ([]*DistrictResult, error) {
	projects, err := projectsOf(ctx, q, e.ID, true)
	if err != nil {
		return nil, err
	}
	var out []*DistrictResult
	for _, d := range e.Districts {
		in, mine, voters, err := instanceOf(ctx, q, e, d, projects)
		if err != nil {
			return nil, err
		}
		res := &DistrictResult{District: d, Ballots: voters}
		selected := map[string]bool{}
		if len(in.Projects) > 0 {
			ids, err := pabulib.Tally(in, e.Rule)
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				selected[id] = true
			}
		}
		scores := pabulib.Scores(in)
		for i, p := range mine {
			res.Rows = append(res.Rows, ResultRow{Project: p, Score: scores[i], Selected: selected[p.Code]})
			if selected[p.Code] {
				res.Spent += p.Cost
			}
		}
		sort.SliceStable(res.Rows, func(i, j int) bool { return res.Rows[i].Score > res.Rows[j].Score })
		for i := range res.Rows {
			res.Rows[i].Rank = i + 1
		}
		out = append(out, res)
	}
	return out, nil
}

// Results returns an edition's results once the vote has ended. Not even
// the office sees them earlier: polled totals would tie each new ballot to
// a moment.
func (s *Service) Results(ctx context.Context, editionID int64) ([]*DistrictResult, error) {
	e, err := s.Edition(ctx, editionID)
	if err != nil {
		return nil, err
	}
	if e.Phase != "results" {
		return nil, ratusz.Errorf(ratusz.ECONFLICT, "err.pb.no_results")
	}
	return computeResults(ctx, s.pool, e)
}

// publishResults stores the winners and publishes the results in BIP, in
// the transaction that ends the voting.
func publishResults(ctx context.Context, tx pgx.Tx, e *Edition) error {
	// Rewrite the ballots in this one transaction, in their random id order:
	// no ballot row keeps the transaction (or the place on disk) it shared
	// with its voter's row.
	if _, err := tx.Exec(ctx, `WITH moved AS (DELETE FROM pb_ballots WHERE edition_id = $1 RETURNING *)
		INSERT INTO pb_ballots SELECT * FROM moved ORDER BY id`, e.ID); err != nil {
		return err
	}
	results, err := computeResults(ctx, tx, e)
	if err != nil {
		return err
	}
	var md strings.Builder
	fmt.Fprintf(&md, "Wyniki głosowania w budżecie obywatelskim „%s” (%d). Metoda wyboru: %s.\n", cell(e.Name), e.Year, ruleWords(e.Rule))
	for _, r := range results {
		fmt.Fprintf(&md, "\n## %s\n\nPula: %s; wybrane projekty: %s; oddane karty z głosem w tej puli: %d.\n\n| miejsce | projekt | koszt | głosy | wybrany |\n|---:|---|---:|---:|---|\n",
			cell(r.District.Name), FormatPLN(r.District.Budget), FormatPLN(r.Spent), r.Ballots)
		for _, row := range r.Rows {
			won := "nie"
			if row.Selected {
				won = "**tak**"
			}
			fmt.Fprintf(&md, "| %d | %s %s | %s | %d | %s |\n", row.Rank, cell(row.Project.Code), cell(row.Project.Title), FormatPLN(row.Project.Cost), row.Score, won)
			if _, err := tx.Exec(ctx, `INSERT INTO pb_results (edition_id, project_id, score, selected, rank) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (edition_id, project_id) DO UPDATE SET score = EXCLUDED.score, selected = EXCLUDED.selected, rank = EXCLUDED.rank`,
				e.ID, row.Project.ID, row.Score, row.Selected, row.Rank); err != nil {
				return err
			}
		}
	}
	pub, err := bip.Publish(ctx, tx, bip.Draft{Category: "budzet-obywatelski", Title: fmt.Sprintf("Wyniki budżetu obywatelskiego: %s", e.Name),
		Body: md.String(), ProducedBy: "Urząd Gminy — zespół ds. budżetu obywatelskiego", Responsible: "Koordynator budżetu obywatelskiego",
		ProducedAt: nowWarsaw(), Source: fmt.Sprintf("pb.results:%d", e.ID)})
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "UPDATE pb_editions SET results_publication_id = $2 WHERE id = $1", e.ID, pub.ID)
	return err
}

func cell(s string) string { return bip.PlainText(s) }

func ruleWords(rule string) string {
	switch {
	case strings.HasPrefix(rule, "equalshares"):
		return "metoda równych udziałów (" + rule + ")"
	default:
		return "kolejno według liczby głosów, dopóki starcza środków (" + rule + ")"
	}
}
