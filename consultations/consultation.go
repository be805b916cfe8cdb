// Package consultations is public consultation (konsultacje społeczne):
// a consultation with its documents and survey, residents' responses (one
// each, changeable until the end), remarks on the documents answered by the
// office, moderated text answers, results, and the report published in BIP
// when the consultation closes.
package consultations

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/pg"
)

// Service is the consultations' store. Every method checks the actor in
// the context.
type Service struct{ pool *pgxpool.Pool }

func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// Eligibility: who may respond.
const (
	Residents = "residents" // anyone signed in
	Verified  = "verified"  // residents verified by the OpenID provider
	Open      = "open"      // anyone, without an account: one response per browser, not binding
)

// Eligibilities lists them in the order forms offer them.
var Eligibilities = []string{Residents, Verified, Open}

// States of a consultation: draft → open → closed (the report is published
// in BIP when it closes).
const (
	StateDraft  = "draft"
	StateOpen   = "open"
	StateClosed = "closed"
)

var warsaw = bip.Warsaw

// Consultation is a public consultation.
type Consultation struct {
	ID              int64      `json:"id" db:"id"`
	Title           string     `json:"title" db:"title"`
	Description     string     `json:"description" db:"description"` // Markdown
	DescriptionHTML *string    `json:"-" db:"description_html"`      // rendered and sanitized when saved; nil before that
	Organiser       string     `json:"organiser" db:"organiser"`
	StartsAt        time.Time  `json:"starts_at" db:"starts_at"`
	EndsAt          time.Time  `json:"ends_at" db:"ends_at"`
	Eligibility     string     `json:"eligibility" db:"eligibility"`
	Questions       []Question `json:"questions" db:"questions"`
	State           string     `json:"state" db:"state"`
	ResultsLive     bool       `json:"results_live" db:"results_live"`
	CreatedAt       time.Time  `json:"created_at" db:"created_at"`
	OpenedAt        *time.Time `json:"opened_at,omitempty" db:"opened_at"`
	ClosedAt        *time.Time `json:"closed_at,omitempty" db:"closed_at"`
	AnnouncementID  *int64     `json:"announcement_publication,omitempty" db:"announcement_publication_id"`
	ReportID        *int64     `json:"report_publication,omitempty" db:"report_publication_id"`
	Responses       int        `json:"responses" db:"responses"`
}

const columns = `c.id, c.title, c.description, c.description_html, c.organiser, c.starts_at, c.ends_at, c.eligibility, c.questions, c.state, c.results_live,
	c.created_at, c.opened_at, c.closed_at, c.announcement_publication_id, c.report_publication_id,
	(SELECT count(*) FROM consultation_responses r WHERE r.consultation_id = c.id)::int AS responses`

// AcceptsResponses reports whether responses and remarks are taken at t:
// open, and within the period (an ended consultation not yet formally
// closed takes nothing more).
func (c *Consultation) AcceptsResponses(t time.Time) bool {
	return c.State == StateOpen && !t.Before(c.StartsAt) && t.Before(c.EndsAt)
}

// Ended reports whether the period is over or the consultation closed.
func (c *Consultation) Ended(t time.Time) bool {
	return c.State == StateClosed || (c.State == StateOpen && !t.Before(c.EndsAt))
}

// Upcoming reports whether it is open but its period has not begun.
func (c *Consultation) Upcoming(t time.Time) bool {
	return c.State == StateOpen && t.Before(c.StartsAt)
}

// Question returns the question with the id, or nil.
func (c *Consultation) Question(id string) *Question {
	for i := range c.Questions {
		if c.Questions[i].ID == id {
			return &c.Questions[i]
		}
	}
	return nil
}

// mayManage: consultation officers (and admins) run consultations.
func mayManage(ctx context.Context) error {
	return ratusz.ActorFromContext(ctx).Require(ratusz.RoleConsultationOfficer)
}

// MayManage reports whether the actor in ctx runs consultations.
func MayManage(ctx context.Context) bool { return mayManage(ctx) == nil }

// userID is the actor's account, NULL for the system.
func userID(ctx context.Context) *int64 {
	if a := ratusz.ActorFromContext(ctx); a.UserID > 0 {
		return &a.UserID
	}
	return nil
}

// Input is what the officer writes for a consultation.
type Input struct {
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Organiser   string     `json:"organiser"`
	StartsAt    time.Time  `json:"starts_at"`
	EndsAt      time.Time  `json:"ends_at"`
	Eligibility string     `json:"eligibility"`
	ResultsLive bool       `json:"results_live"`
	Questions   []Question `json:"questions"`
}

func (in *Input) validate() error {
	var err error
	if in.Title, err = ratusz.Text("title", in.Title, bip.MaxTitle-40, false); err != nil {
		return err
	}
	if in.Description, err = ratusz.Text("description", in.Description, 50000, true); err != nil {
		return err
	}
	if in.Organiser, err = ratusz.Text("organiser", in.Organiser, 300, true); err != nil {
		return err
	}
	if in.StartsAt.IsZero() {
		return ratusz.Invalid("starts_at", "err.required")
	}
	if in.EndsAt.IsZero() {
		return ratusz.Invalid("ends_at", "err.required")
	}
	if !in.EndsAt.After(in.StartsAt) {
		return ratusz.Invalid("ends_at", "err.consult.ends_before_start")
	}
	if in.Eligibility == "" {
		in.Eligibility = Residents
	}
	switch in.Eligibility {
	case Residents, Verified, Open:
	default:
		return ratusz.Invalid("eligibility", "err.consult.eligibility")
	}
	if in.Questions == nil {
		in.Questions = []Question{}
	}
	return validateQuestions(in.Questions)
}

// Create adds a draft consultation.
func (s *Service) Create(ctx context.Context, in Input) (*Consultation, error) {
	if err := mayManage(ctx); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	if in.Organiser == "" {
		in.Organiser = "Urząd Gminy"
	}
	qs, _ := json.Marshal(in.Questions)
	var id int64
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO consultations (title, description, description_html, organiser, starts_at, ends_at, eligibility, questions, results_live, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, in.Title, in.Description, bip.RenderMarkdown(in.Description), in.Organiser, in.StartsAt, in.EndsAt, in.Eligibility, qs, in.ResultsLive, userID(ctx)).Scan(&id); err != nil {
			return err
		}
		return outbox.Write(ctx, tx, EventCreated, topic(id), map[string]any{"consultation": id})
	})
	if err != nil {
		return nil, err
	}
	return s.ByID(ctx, id)
}

// Events of consultations, on the consultation's topic.
const (
	EventCreated        = "consultation.created"
	EventChanged        = "consultation.changed"
	EventOpened         = "consultation.opened" // its notice is in BIP
	EventClosed         = "consultation.closed" // its report is in BIP
	EventRemark         = "consultation.remark"
	EventRemarkAnswered = "consultation.remark_answered"
	// EventResponse tells live viewers that a response came in; it changes
	// nothing searched (outbox.WriteLive).
	EventResponse = "consultation.response"
)

func topic(id int64) string { return "consultation:" + strconv.FormatInt(id, 10) }

// lock reads a consultation for update.
func lock(ctx context.Context, tx pgx.Tx, id int64, mode string) (*Consultation, error) {
	rows, _ := tx.Query(ctx, "SELECT "+columns+" FROM consultations c WHERE c.id = $1 FOR "+mode+" OF c", id)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Consultation])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.consult.not_found")
	}
	return c, err
}

// Update changes a draft. Its questions cannot change once answers exist.
func (s *Service) Update(ctx context.Context, id int64, in Input) (*Consultation, error) {
	if err := mayManage(ctx); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	if in.Organiser == "" {
		in.Organiser = "Urząd Gminy"
	}
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lock(ctx, tx, id, "UPDATE")
		if err != nil {
			return err
		}
		if c.Responses > 0 {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.consult.has_answers")
		}
		if c.State != StateDraft {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.consult.not_draft")
		}
		qs, _ := json.Marshal(in.Questions)
		if _, err := tx.Exec(ctx, `UPDATE consultations SET title = $2, description = $3, description_html = $10, organiser = $4, starts_at = $5, ends_at = $6,
			eligibility = $7, questions = $8, results_live = $9, updated_at = now() WHERE id = $1`,
			id, in.Title, in.Description, in.Organiser, in.StartsAt, in.EndsAt, in.Eligibility, qs, in.ResultsLive, bip.RenderMarkdown(in.Description)); err != nil {
			return err
		}
		return outbox.Write(ctx, tx, EventChanged, topic(id), map[string]any{"consultation": id})
	})
	if err != nil {
		return nil, err
	}
	return s.ByID(ctx, id)
}

// SetQuestions replaces a draft's survey (the office's page adds and
// removes questions one at a time).
func (s *Service) SetQuestions(ctx context.Context, id int64, qs []Question) (*Consultation, error) {
	c, err := s.ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	in := Input{Title: c.Title, Description: c.Description, Organiser: c.Organiser, StartsAt: c.StartsAt, EndsAt: c.EndsAt,
		Eligibility: c.Eligibility, ResultsLive: c.ResultsLive, Questions: qs}
	return s.Update(ctx, id, in)
}

// SetResultsLive lets the officer show results while the consultation runs.
func (s *Service) SetResultsLive(ctx context.Context, id int64, live bool) error {
	if err := mayManage(ctx); err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, "UPDATE consultations SET results_live = $2, updated_at = now() WHERE id = $1", id, live)
	if err == nil && tag.RowsAffected() == 0 {
		return ratusz.Errorf(ratusz.ENOTFOUND, "err.consult.not_found")
	}
	return err
}

// ByID returns a consultation; drafts only to the officers.
func (s *Service) ByID(ctx context.Context, id int64) (*Consultation, error) {
	rows, _ := s.pool.Query(ctx, "SELECT "+columns+" FROM consultations c WHERE c.id = $1", id)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Consultation])
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && c.State == StateDraft && !MayManage(ctx)) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.consult.not_found")
	}
	if err == nil && c.DescriptionHTML == nil { // saved before descriptions were rendered on save
		html := bip.RenderMarkdown(c.Description)
		c.DescriptionHTML = &html
		if _, err := s.pool.Exec(ctx, "UPDATE consultations SET description_html = $2 WHERE id = $1 AND description = $3", c.ID, html, c.Description); err != nil {
			return nil, err
		}
	}
	return c, err
}

// ByIDText is ByID for an id as a URL writes it: text that is no id names
// no consultation.
func (s *Service) ByIDText(ctx context.Context, id string) (*Consultation, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.consult.not_found")
	}
	return s.ByID(ctx, n)
}

// List returns the consultations people see: open and closed ones, newest
// first, and for officers the drafts too.
func (s *Service) List(ctx context.Context) ([]*Consultation, error) {
	rows, _ := s.pool.Query(ctx, "SELECT "+columns+" FROM consultations c WHERE c.state <> 'draft' OR $1 ORDER BY c.ends_at DESC, c.id DESC", MayManage(ctx))
	return pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Consultation])
}

// Document is a document under consultation.
type Document struct {
	ID             int64     `json:"id" db:"id"`
	ConsultationID int64     `json:"consultation" db:"consultation_id"`
	Name           string    `json:"name" db:"name"`
	ContentType    string    `json:"content_type" db:"content_type"`
	Size           int64     `json:"size" db:"size"`
	SHA256         []byte    `json:"-" db:"sha256"`
	CreatedAt      time.Time `json:"created_at" db:"created_at"`
}

const docColumns = "id, consultation_id, name, content_type, size, sha256, created_at"

// AddDocument attaches a document to a draft, checked like a BIP attachment.
func (s *Service) AddDocument(ctx context.Context, id int64, name string, data []byte) (*Document, error) {
	if err := mayManage(ctx); err != nil {
		return nil, err
	}
	a := bip.NewAttachment{Name: name, Data: data}
	checked, err := a.Check()
	if err != nil {
		if e, ok := err.(*ratusz.Error); ok {
			e.Field = "file"
		}
		return nil, err
	}
	var d *Document
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := lock(ctx, tx, id, "UPDATE")
		if err != nil {
			return err
		}
		if c.State != StateDraft {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.consult.not_draft")
		}
		rows, _ := tx.Query(ctx, `INSERT INTO consultation_documents (consultation_id, name, content_type, size, sha256, data)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+docColumns, id, checked.Name, checked.ContentType, checked.Size, checked.SHA256, data)
		d, err = pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Document])
		return err
	})
	return d, err
}

// Documents lists a consultation's documents.
func (s *Service) Documents(ctx context.Context, id int64) ([]*Document, error) {
	rows, _ := s.pool.Query(ctx, "SELECT "+docColumns+" FROM consultation_documents WHERE consultation_id = $1 ORDER BY id", id)
	return pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Document])
}

// DocumentData returns a document and its content (of a draft, only to
// officers).
func (s *Service) DocumentData(ctx context.Context, docID int64) (*Document, []byte, error) {
	d := &Document{}
	var data []byte
	var state string
	err := s.pool.QueryRow(ctx, `SELECT d.id, d.consultation_id, d.name, d.content_type, d.size, d.sha256, d.created_at, d.data, c.state
		FROM consultation_documents d JOIN consultations c ON c.id = d.consultation_id WHERE d.id = $1`, docID).
		Scan(&d.ID, &d.ConsultationID, &d.Name, &d.ContentType, &d.Size, &d.SHA256, &d.CreatedAt, &data, &state)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && state == StateDraft && !MayManage(ctx)) {
		return nil, nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.consult.document_not_found")
	}
	return d, data, err
}
