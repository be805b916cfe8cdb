package participation

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/pg"
)

// PBProject is a project of an edition, as residents submit it and the
// office verifies it.
type PBProject struct {
	ID            int64      `json:"id"`
	EditionID     int64      `json:"edition"`
	DistrictID    int64      `json:"district"`
	Code          string     `json:"code"`
	Title         string     `json:"title"`
	Description   string     `json:"description"`
	Place         string     `json:"place"`
	Category      string     `json:"category"`
	Cost          int64      `json:"cost"` // grosze
	CostItems     []CostItem `json:"cost_items"`
	Status        string     `json:"status"` // submitted, accepted, rejected, appealed
	Justification string     `json:"justification"`
	Appeal        string     `json:"appeal"`
	SubmittedBy   *int64     `json:"-"`
}

// CostItem is a line of a project's cost estimate.
type CostItem struct {
	Item string `json:"item"`
	Cost int64  `json:"cost"` // grosze
}

// ProjectInput is a project being submitted.
type ProjectInput struct {
	District    int64      `json:"district"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Place       string     `json:"place"`
	Category    string     `json:"category"`
	CostItems   []CostItem `json:"cost_items"`
	Files       []File     `json:"-"`
}

// File is an attachment of a project: a map, a sketch, a quote.
type File struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      []byte `json:"-"`
	Data        []byte `json:"-"`
}

// MaxProjectFiles is how many files a project may carry.
const MaxProjectFiles = 5

const projectColumns = `id, edition_id, district_id, code, title, description, place, category, cost, cost_items, status, justification, appeal, submitted_by`

// Events of the budget.
const (
	EventProject = "pb.project" // a project submitted, verified or appealed
	EventPhase   = "pb.phase"   // an edition moved to another phase
)

func scanProject(r pgx.CollectableRow) (*PBProject, error) {
	p := &PBProject{}
	err := r.Scan(&p.ID, &p.EditionID, &p.DistrictID, &p.Code, &p.Title, &p.Description, &p.Place, &p.Category, &p.Cost, &p.CostItems,
		&p.Status, &p.Justification, &p.Appeal, &p.SubmittedBy)
	return p, err
}

// SubmitProject files a resident's project in the submission phase; its
// cost is the sum of its estimate's lines.
func (s *Service) SubmitProject(ctx context.Context, editionID int64, in ProjectInput) (*PBProject, error) {
	actor := ratusz.ActorFromContext(ctx)
	if err := actor.Require(); err != nil {
		return nil, err
	}
	var err error
	if in.Title, err = ratusz.Text("title", in.Title, 300, false); err != nil {
		return nil, err
	}
	if in.Description, err = ratusz.Text("description", in.Description, 20000, false); err != nil {
		return nil, err
	}
	in.Place = strings.TrimSpace(in.Place)
	if utf8.RuneCountInString(in.Place) > 300 {
		return nil, ratusz.Invalid("place", "err.too_long", 300)
	}
	if len(in.Files) > MaxProjectFiles {
		return nil, ratusz.Invalid("files", "err.pb.too_many_files", MaxProjectFiles)
	}
	for i := range in.Files {
		f := &in.Files[i]
		checked, err := bip.CheckUpload("files", f.Name, f.Data)
		if err != nil {
			return nil, err
		}
		f.Name, f.ContentType, f.Size, f.SHA256 = checked.Name, checked.ContentType, checked.Size, checked.SHA256
	}
	if len(in.CostItems) == 0 || len(in.CostItems) > 50 {
		return nil, ratusz.Invalid("cost_items", "err.pb.cost_items")
	}
	var cost int64
	for i := range in.CostItems {
		it := &in.CostItems[i]
		if it.Item, err = ratusz.Text("cost_items", it.Item, 300, false); err != nil {
			return nil, err
		}
		if it.Cost <= 0 || it.Cost > 1e13 {
			return nil, ratusz.Invalid("cost_items", "err.pb.cost")
		}
		cost += it.Cost
	}
	var p *PBProject
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, err := loadEdition(ctx, tx, editionID, true)
		if err != nil {
			return err
		}
		if e.Phase != "submission" {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.pb.not_submission")
		}
		d := e.District(in.District)
		if d == nil {
			return ratusz.Invalid("district", "err.pb.district")
		}
		if in.Category = strings.TrimSpace(in.Category); in.Category != "" && len(e.Categories) > 0 && !contains(e.Categories, in.Category) {
			return ratusz.Invalid("category", "err.pb.category")
		}
		if cost > d.Budget {
			return ratusz.Invalid("cost_items", "err.pb.over_budget", FormatPLN(d.Budget))
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM pb_projects WHERE edition_id = $1", editionID).Scan(&n); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `INSERT INTO pb_projects (edition_id, district_id, code, title, description, place, category, cost, cost_items, submitted_by, position)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING `+projectColumns,
			editionID, d.ID, fmt.Sprintf("%d/%d", n+1, e.Year), in.Title, in.Description, in.Place, in.Category, cost, in.CostItems, nullID(actor.UserID), n+1)
		if p, err = pgx.CollectExactlyOneRow(rows, scanProject); err != nil {
			return err
		}
		for _, f := range in.Files {
			if _, err := tx.Exec(ctx, "INSERT INTO pb_files (project_id, name, content_type, size, sha256, data) VALUES ($1, $2, $3, $4, $5, $6)",
				p.ID, f.Name, f.ContentType, f.Size, f.SHA256, f.Data); err != nil {
				return err
			}
		}
		return projectChanged(ctx, tx, editionID, p.ID)
	})
	return p, err
}

// Files returns a project's attachments, without their content.
func (s *Service) Files(ctx context.Context, projectID int64) ([]*File, error) {
	rows, _ := s.pool.Query(ctx, "SELECT id, name, content_type, size, sha256 FROM pb_files WHERE project_id = $1 ORDER BY id", projectID)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*File, error) {
		f := &File{}
		err := r.Scan(&f.ID, &f.Name, &f.ContentType, &f.Size, &f.SHA256)
		return f, err
	})
}

// FileData returns an attachment with its content.
func (s *Service) FileData(ctx context.Context, id int64) (*File, error) {
	f := &File{ID: id}
	err := s.pool.QueryRow(ctx, "SELECT name, content_type, size, sha256, data FROM pb_files WHERE id = $1", id).Scan(&f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.Data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.pb.file_not_found")
	}
	return f, err
}

func nullID(id int64) *int64 {
	if id <= 0 {
		return nil
	}
	return &id
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Project returns a project.
func (s *Service) Project(ctx context.Context, id int64) (*PBProject, error) {
	rows, _ := s.pool.Query(ctx, "SELECT "+projectColumns+" FROM pb_projects WHERE id = $1", id)
	p, err := pgx.CollectExactlyOneRow(rows, scanProject)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.pb.project_not_found")
	}
	return p, err
}

// Projects returns an edition's projects in ballot order; onlyAccepted
// leaves out those not on the ballot.
func (s *Service) Projects(ctx context.Context, editionID int64, onlyAccepted bool) ([]*PBProject, error) {
	return projectsOf(ctx, s.pool, editionID, onlyAccepted)
}

// OnlyAccepted reports whether the actor is shown only the edition's
// projects on the ballot: from the vote on, everyone but the officers is
// (before it, every submitted project is public, with its status).
func (e *Edition) OnlyAccepted(ctx context.Context) bool {
	return (e.Phase == "voting" || e.Phase == "results") && mayManage(ctx) != nil
}

func projectsOf(ctx context.Context, q pg.Querier, editionID int64, onlyAccepted bool) ([]*PBProject, error) {
	sql := "SELECT " + projectColumns + " FROM pb_projects WHERE edition_id = $1"
	if onlyAccepted {
		sql += " AND status = 'accepted'"
	}
	rows, _ := q.Query(ctx, sql+" ORDER BY district_id, position, id", editionID)
	return pgx.CollectRows(rows, scanProject)
}

// Verify records the office's verification of a project (formal and on
// the merits): accepted onto the ballot or rejected, with the published
// justification. In the appeals phase it decides an appeal.
func (s *Service) Verify(ctx context.Context, projectID int64, status, justification string) (*PBProject, error) {
	if err := mayManage(ctx); err != nil {
		return nil, err
	}
	if status != "accepted" && status != "rejected" {
		return nil, ratusz.Invalid("status", "err.pb.status")
	}
	justification = strings.TrimSpace(justification)
	if status == "rejected" && justification == "" {
		return nil, ratusz.Invalid("justification", "err.pb.justify")
	}
	if utf8.RuneCountInString(justification) > 5000 {
		return nil, ratusz.Invalid("justification", "err.too_long", 5000)
	}
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var phase string
		err := tx.QueryRow(ctx, `SELECT e.phase FROM pb_projects p JOIN pb_editions e ON e.id = p.edition_id WHERE p.id = $1 FOR UPDATE OF e`, projectID).Scan(&phase)
		if errors.Is(err, pgx.ErrNoRows) {
			return ratusz.Errorf(ratusz.ENOTFOUND, "err.pb.project_not_found")
		} else if err != nil {
			return err
		}
		if phase != "verification" && phase != "appeals" {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.pb.not_verification")
		}
		if _, err := tx.Exec(ctx, "UPDATE pb_projects SET status = $2, justification = $3 WHERE id = $1", projectID, status, justification); err != nil {
			return err
		}
		return projectChanged(ctx, tx, 0, projectID)
	})
	if err != nil {
		return nil, err
	}
	return s.Project(ctx, projectID)
}

// Appeal lets the author of a rejected project appeal in the appeals phase.
func (s *Service) Appeal(ctx context.Context, projectID int64, reason string) (*PBProject, error) {
	actor := ratusz.ActorFromContext(ctx)
	if err := actor.Require(); err != nil {
		return nil, err
	}
	reason, err := ratusz.Text("appeal", reason, 5000, false)
	if err != nil {
		return nil, err
	}
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var phase, status, earlier string
		var author *int64
		err := tx.QueryRow(ctx, `SELECT e.phase, p.status, p.submitted_by, p.appeal FROM pb_projects p JOIN pb_editions e ON e.id = p.edition_id
			WHERE p.id = $1 FOR UPDATE OF p`, projectID).Scan(&phase, &status, &author, &earlier)
		if errors.Is(err, pgx.ErrNoRows) {
			return ratusz.Errorf(ratusz.ENOTFOUND, "err.pb.project_not_found")
		} else if err != nil {
			return err
		}
		if author == nil || *author != actor.UserID {
			return ratusz.Errorf(ratusz.EFORBIDDEN, "err.pb.not_author")
		}
		if phase != "appeals" {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.pb.not_appeals")
		}
		if status != "rejected" {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.pb.not_rejected")
		}
		if earlier != "" {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.pb.appealed_once")
		}
		if _, err := tx.Exec(ctx, "UPDATE pb_projects SET status = 'appealed', appeal = $2 WHERE id = $1", projectID, reason); err != nil {
			return err
		}
		return projectChanged(ctx, tx, 0, projectID)
	})
	if err != nil {
		return nil, err
	}
	return s.Project(ctx, projectID)
}

// FormatPLN writes an amount in grosze as Poles do: "1 250 000,00 zł".
func FormatPLN(grosze int64) string {
	neg := grosze < 0
	if neg {
		grosze = -grosze
	}
	zl := fmt.Sprint(grosze / 100)
	var b strings.Builder
	for i, c := range zl {
		if i > 0 && (len(zl)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(c)
	}
	s := fmt.Sprintf("%s,%02d\u00a0zł", b.String(), grosze%100) // "zł" never alone on a line
	if neg {
		s = "−" + s
	}
	return s
}

// projectChanged tells the rest of the system (search, after commit) that
// a project was submitted or its status changed. Ballots never write such
// events: their timing would date them.
func projectChanged(ctx context.Context, tx pgx.Tx, editionID, projectID int64) error {
	if editionID == 0 {
		if err := tx.QueryRow(ctx, "SELECT edition_id FROM pb_projects WHERE id = $1", projectID).Scan(&editionID); err != nil {
			return err
		}
	}
	return outbox.Write(ctx, tx, EventProject, "pb:"+strconv.FormatInt(editionID, 10), map[string]any{"edition": editionID, "project": projectID})
}
