package participation

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/pg"
	"github.com/ratusz/ratusz/participation/pabulib"
)

// Service is the participatory budget's store. Every method checks the
// actor in the context.
type Service struct {
	pool     *pgxpool.Pool
	voterKey []byte // HMAC key for paper voters' document numbers; never in the database
	cacheMu  sync.Mutex
	cache    map[int64]ballotPaper // editions in voting, for ballots
}

func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// SetVoterKey gives the service the secret that turns a paper voter's
// document number into the key recorded as having voted (HMAC-SHA256). It
// is kept outside the database, so that whoever reads the database cannot
// try every document number to find who voted.
func (s *Service) SetVoterKey(key []byte) { s.voterKey = append([]byte(nil), key...) }

func mayManage(ctx context.Context) error {
	return ratusz.ActorFromContext(ctx).Require(ratusz.RolePBOfficer)
}

// Phases of an edition, in order.
var Phases = []string{"submission", "verification", "appeals", "voting", "results"}

// Edition is one year's participatory budget.
type Edition struct {
	ID              int64               `json:"id"`
	Year            int                 `json:"year"`
	Name            string              `json:"name"`
	Phase           string              `json:"phase"`
	VoteType        pabulib.VoteType    `json:"vote_type"`
	MinLength       int                 `json:"min_length"`
	MaxLength       *int                `json:"max_length,omitempty"`
	MaxSumCost      *int64              `json:"max_sum_cost,omitempty"`
	MaxPoints       *int                `json:"max_points,omitempty"`
	MaxSumPoints    *int                `json:"max_sum_points,omitempty"`
	Rule            string              `json:"rule"`
	RequireVerified bool                `json:"require_verified"`
	Categories      []string            `json:"categories"`
	Schedule        map[string]string   `json:"schedule"` // phase → planned start, YYYY-MM-DD
	ResultsPubID    *int64              `json:"-"`
	Meta            []pabulib.MetaEntry `json:"-"` // an imported file's META
	BallotKey       []byte              `json:"-"` // public key sealing the ballots (voting)
	Districts       []*District         `json:"districts"`
}

// District is a pool of an edition: a district (okręg) or the city-wide one.
type District struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Budget   int64  `json:"budget"` // grosze
	Citywide bool   `json:"citywide"`
}

// EditionInput is a new edition.
type EditionInput struct {
	Year            int               `json:"year"`
	Name            string            `json:"name"`
	VoteType        pabulib.VoteType  `json:"vote_type"`
	MinLength       int               `json:"min_length"`
	MaxLength       *int              `json:"max_length"`
	MaxSumCost      *int64            `json:"max_sum_cost"`
	MaxPoints       *int              `json:"max_points"`
	MaxSumPoints    *int              `json:"max_sum_points"`
	Rule            string            `json:"rule"`
	RequireVerified bool              `json:"require_verified"`
	Categories      []string          `json:"categories"`
	Schedule        map[string]string `json:"schedule"`
	Districts       []DistrictInput   `json:"districts"`
}

// DistrictInput is a pool of a new edition.
type DistrictInput struct {
	Name     string `json:"name"`
	Budget   int64  `json:"budget"` // grosze
	Citywide bool   `json:"citywide"`
}

func (in *EditionInput) validate() error {
	var err error
	if in.Year < 2000 || in.Year > 2200 {
		return ratusz.Invalid("year", "err.range", 2000, 2200)
	}
	if in.Name, err = ratusz.Text("name", in.Name, 200, false); err != nil {
		return err
	}
	if in.VoteType == "" {
		in.VoteType = pabulib.Approval
	}
	if !in.VoteType.Valid() {
		return ratusz.Invalid("vote_type", "err.pb.vote_type")
	}
	if in.Rule == "" {
		in.Rule = "greedy"
	}
	if !pabulib.KnownRule(in.Rule) {
		return ratusz.Invalid("rule", "err.pb.rule", strings.Join(pabulib.Rules(), ", "))
	}
	if strings.HasPrefix(in.Rule, "equalshares") && in.VoteType != pabulib.Approval && in.VoteType != pabulib.Choose1 {
		return ratusz.Invalid("rule", "err.pb.rule_vote_type")
	}
	if in.MinLength < 0 || (in.MaxLength != nil && *in.MaxLength < max(in.MinLength, 1)) {
		return ratusz.Invalid("max_length", "err.pb.lengths")
	}
	if in.VoteType == pabulib.Scoring && (in.MaxPoints == nil || *in.MaxPoints < 1) {
		return ratusz.Invalid("max_points", "err.required")
	}
	if in.VoteType == pabulib.Cumulative && (in.MaxSumPoints == nil || *in.MaxSumPoints < 1) {
		return ratusz.Invalid("max_sum_points", "err.required")
	}
	if len(in.Districts) == 0 {
		return ratusz.Invalid("districts", "err.pb.no_districts")
	}
	seen := map[string]bool{}
	for i := range in.Districts {
		d := &in.Districts[i]
		if d.Name, err = ratusz.Text("districts", d.Name, 200, false); err != nil {
			return err
		}
		if d.Budget <= 0 {
			return ratusz.Invalid("districts", "err.pb.budget")
		}
		if seen[d.Name] {
			return ratusz.Invalid("districts", "err.pb.district_twice", d.Name)
		}
		seen[d.Name] = true
	}
	if in.Categories == nil {
		in.Categories = []string{}
	}
	if in.Schedule == nil {
		in.Schedule = map[string]string{}
	}
	for phase, day := range in.Schedule {
		if phaseIndex(phase) < 0 {
			return ratusz.Invalid("schedule", "err.pb.phase")
		}
		if _, err := time.Parse("2006-01-02", day); err != nil {
			return ratusz.Invalid("schedule", "err.date")
		}
	}
	return nil
}

// CreateEdition opens an edition in the submission phase.
func (s *Service) CreateEdition(ctx context.Context, in EditionInput) (*Edition, error) {
	if err := mayManage(ctx); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var id int64
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		id, err = insertEdition(ctx, tx, in, "submission", nil, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Edition(ctx, id)
}

func insertEdition(ctx context.Context, tx pgx.Tx, in EditionInput, phase string, source *string, meta []pabulib.MetaEntry) (int64, error) {
	var id int64
	if meta == nil {
		meta = []pabulib.MetaEntry{}
	}
	err := tx.QueryRow(ctx, `INSERT INTO pb_editions (year, name, phase, vote_type, min_length, max_length, max_sum_cost, max_points, max_sum_points,
			rule, require_verified, categories, source, schedule, pabulib_meta) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		in.Year, in.Name, phase, string(in.VoteType), in.MinLength, in.MaxLength, in.MaxSumCost, in.MaxPoints, in.MaxSumPoints,
		in.Rule, in.RequireVerified, in.Categories, source, in.Schedule, meta).Scan(&id)
	if pg.IsConstraint(err, "pb_editions_source_key") {
		return 0, ratusz.Errorf(ratusz.ECONFLICT, "err.pb.imported_already")
	}
	if err != nil {
		return 0, err
	}
	for _, d := range in.Districts {
		if _, err := tx.Exec(ctx, "INSERT INTO pb_districts (edition_id, name, budget, citywide) VALUES ($1, $2, $3, $4)", id, d.Name, d.Budget, d.Citywide); err != nil {
			return 0, err
		}
	}
	return id, nil
}

const editionColumns = `id, year, name, phase, vote_type, min_length, max_length, max_sum_cost, max_points, max_sum_points, rule, require_verified, categories, schedule, results_publication_id, pabulib_meta, ballot_key`

func scanEdition(r pgx.Row) (*Edition, error) {
	e := &Edition{}
	err := r.Scan(&e.ID, &e.Year, &e.Name, &e.Phase, &e.VoteType, &e.MinLength, &e.MaxLength, &e.MaxSumCost, &e.MaxPoints, &e.MaxSumPoints,
		&e.Rule, &e.RequireVerified, &e.Categories, &e.Schedule, &e.ResultsPubID, &e.Meta, &e.BallotKey)
	return e, err
}

func loadEdition(ctx context.Context, q pg.Querier, id int64, lock bool) (*Edition, error) {
	sql := "SELECT " + editionColumns + " FROM pb_editions WHERE id = $1"
	if lock {
		sql += " FOR UPDATE"
	}
	e, err := scanEdition(q.QueryRow(ctx, sql, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.pb.edition_not_found")
	} else if err != nil {
		return nil, err
	}
	rows, _ := q.Query(ctx, "SELECT id, name, budget, citywide FROM pb_districts WHERE edition_id = $1 ORDER BY citywide DESC, name, id", id)
	e.Districts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*District, error) {
		d := &District{}
		err := r.Scan(&d.ID, &d.Name, &d.Budget, &d.Citywide)
		return d, err
	})
	return e, err
}

// Edition returns an edition with its districts.
func (s *Service) Edition(ctx context.Context, id int64) (*Edition, error) {
	return loadEdition(ctx, s.pool, id, false)
}

// Editions returns every edition, the latest first.
func (s *Service) Editions(ctx context.Context) ([]*Edition, error) {
	rows, _ := s.pool.Query(ctx, "SELECT id FROM pb_editions ORDER BY year DESC, id DESC")
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	out := make([]*Edition, 0, len(ids))
	for _, id := range ids {
		e, err := s.Edition(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Budget is the sum of the edition's pools.
func (e *Edition) Budget() int64 {
	var sum int64
	for _, d := range e.Districts {
		sum += d.Budget
	}
	return sum
}

// District returns the edition's district by id, or nil.
func (e *Edition) District(id int64) *District {
	for _, d := range e.Districts {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// PhaseChange is what moving an edition's phase needs and gives: ending
// the vote needs the ballot key, opening it gives a new one, shown once.
type PhaseChange struct {
	Phase     string `json:"phase"`
	BallotKey string `json:"ballot_key,omitempty"`
}

// SetPhase moves an edition to a phase. Opening the vote makes the
// edition's ballot key pair and returns the private key, which is shown
// once and never stored: the commission keeps it. Moving to results takes
// that key back, opens the sealed ballots, computes the winners and
// publishes them in BIP, in the same transaction.
func (s *Service) SetPhase(ctx context.Context, id int64, ch PhaseChange) (ballotKey string, err error) {
	if err := mayManage(ctx); err != nil {
		return "", err
	}
	to := phaseIndex(ch.Phase)
	if to < 0 {
		return "", ratusz.Invalid("phase", "err.pb.phase")
	}
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, err := loadEdition(ctx, tx, id, true)
		if err != nil {
			return err
		}
		from := phaseIndex(e.Phase)
		switch {
		case to == from && (ch.Phase != "voting" || e.BallotKey == nil):
			return nil
		case to == from:
			// Voting again while voting: a new key, as long as no ballot
			// is sealed under the old one. A second click on "open the
			// vote" lands here, and shows a key instead of nothing, so the
			// key the commission keeps is always one it was shown.
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM pb_sealed_ballots WHERE edition_id = $1", id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
		case e.Phase == "results":
			return ratusz.Errorf(ratusz.ECONFLICT, "err.pb.results_final")
		case to < from && e.Phase == "voting":
			// Ballots were cast under this list of projects: no going back.
			var n int
			if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM pb_ballots WHERE edition_id = $1) +
				(SELECT count(*) FROM pb_sealed_ballots WHERE edition_id = $1)`, id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return ratusz.Errorf(ratusz.ECONFLICT, "err.pb.ballots_cast")
			}
			if _, err := tx.Exec(ctx, "UPDATE pb_editions SET ballot_key = NULL WHERE id = $1", id); err != nil {
				return err
			}
		}
		if ch.Phase == "results" {
			// Opening every ballot and counting each pool may take longer
			// than the pool's limits allow between and within statements.
			if _, err := tx.Exec(ctx, "SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0"); err != nil {
				return err
			}
		}
		var opened []openedBallot
		if ch.Phase == "results" && e.BallotKey != nil {
			if opened, err = openSealed(ctx, tx, e, ch.BallotKey); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE pb_editions SET phase = $2 WHERE id = $1", id, ch.Phase); err != nil {
			return err
		}
		if to != from {
			if err := outbox.Write(ctx, tx, EventPhase, "pb:"+strconv.FormatInt(id, 10), map[string]any{"edition": id, "phase": ch.Phase}); err != nil {
				return err
			}
		}
		if ch.Phase == "voting" {
			priv, pub, err := NewBallotKey()
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE pb_editions SET ballot_key = $2 WHERE id = $1", id, pub); err != nil {
				return err
			}
			ballotKey = priv
		}
		if ch.Phase == "results" {
			if e.BallotKey != nil {
				if err := storeOpened(ctx, tx, e.ID, opened); err != nil {
					return err
				}
			}
			return publishResults(ctx, tx, e)
		}
		return nil
	})
	s.forget(id) // after commit: a cast reading the edition now sees the new phase and key
	if err != nil {
		return "", err
	}
	return ballotKey, nil
}

func phaseIndex(p string) int {
	for i, x := range Phases {
		if x == p {
			return i
		}
	}
	return -1
}

var randReader = rand.Reader

// NewReceipt returns a receipt code, as voters write it down ("ABCD-EFGH-
// JKLM-NPQR"), and the hash stored with the ballot.
func newReceipt() (string, []byte) {
	var b [10]byte
	rand.Read(b[:])
	code := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
	code = code[0:4] + "-" + code[4:8] + "-" + code[8:12] + "-" + code[12:16]
	return code, receiptHash(code)
}

// receiptHash is the hash of a receipt code as typed: case, spaces and
// dashes do not matter.
func receiptHash(code string) []byte {
	code = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
	sum := sha256.Sum256([]byte("ratusz-pb-receipt:" + code))
	return sum[:]
}
