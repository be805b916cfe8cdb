package bip

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/outbox"
	"github.com/ratusz/ratusz/internal/pg"
)

// Metadata is the metryczka: who produced the information, who is
// responsible for it, who entered it, when it was produced and published.
type Metadata struct {
	ProducedBy  string    `json:"produced_by"`
	Responsible string    `json:"responsible"`
	EnteredBy   string    `json:"entered_by"`
	ProducedAt  time.Time `json:"produced_at"`
	PublishedAt time.Time `json:"published_at"`
}

// Publication is a publication as of one of its versions (the newest unless
// asked otherwise).
type Publication struct {
	ID           int64
	Category     *Category
	Version      int
	Kind         string // publish, revise or withdraw: what made this version
	Title        string
	Body         string // Markdown
	BodyHTML     string // sanitized HTML rendered from Body
	Metadata     Metadata
	ChangeReason string
	VersionAt    time.Time // when this version was entered
	Withdrawn    bool      // the newest version withdraws it
	Latest       int       // the newest version number
	Views        int64
	Attachments  []*Attachment
}

// Draft is this version as the draft of the next one: the same category,
// title, text, metadata and attachments, for the caller to change what the
// new version changes.
func (p *Publication) Draft() Draft {
	d := Draft{Category: p.Category.Slug, Title: p.Title, Body: p.Body, ProducedBy: p.Metadata.ProducedBy,
		Responsible: p.Metadata.Responsible, ProducedAt: p.Metadata.ProducedAt}
	for _, a := range p.Attachments {
		d.Keep = append(d.Keep, a.ID)
	}
	return d
}

// Draft is what a publisher writes: a new publication or a new version.
type Draft struct {
	Category    string // slug
	Title       string
	Body        string
	ProducedBy  string
	Responsible string
	ProducedAt  time.Time
	// Attachments to add.
	Attachments []NewAttachment
	// Attachment ids of the previous version to carry over on Revise.
	Keep []int64
	// Source identifies what a module published (e.g. "council.vote:12"),
	// so that it is published once.
	Source string
}

// Limits on what a publication holds.
const (
	MaxTitle       = 500
	MaxBody        = 512 << 10
	MaxPerson      = 300
	MaxReason      = 1000
	MaxAttachments = 30
)

func (d *Draft) validate(now time.Time) error {
	d.Category = strings.TrimSpace(d.Category)
	d.Title = strings.TrimSpace(d.Title)
	d.ProducedBy = strings.TrimSpace(d.ProducedBy)
	d.Responsible = strings.TrimSpace(d.Responsible)
	switch {
	case d.Category == "":
		return ratusz.Invalid("category", "err.required")
	case d.Title == "":
		return ratusz.Invalid("title", "err.required")
	case utf8.RuneCountInString(d.Title) > MaxTitle:
		return ratusz.Invalid("title", "err.too_long", MaxTitle)
	case strings.TrimSpace(d.Body) == "":
		return ratusz.Invalid("body", "err.required")
	case len(d.Body) > MaxBody:
		return ratusz.Invalid("body", "err.too_long", MaxBody)
	case !utf8.ValidString(d.Title + d.Body + d.ProducedBy + d.Responsible):
		return ratusz.Invalid("body", "err.bip.utf8")
	case d.ProducedBy == "":
		return ratusz.Invalid("produced_by", "err.required")
	case utf8.RuneCountInString(d.ProducedBy) > MaxPerson:
		return ratusz.Invalid("produced_by", "err.too_long", MaxPerson)
	case d.Responsible == "":
		return ratusz.Invalid("responsible", "err.required")
	case utf8.RuneCountInString(d.Responsible) > MaxPerson:
		return ratusz.Invalid("responsible", "err.too_long", MaxPerson)
	case d.ProducedAt.IsZero():
		return ratusz.Invalid("produced_at", "err.required")
	case d.ProducedAt.After(now.Add(24 * time.Hour)):
		return ratusz.Invalid("produced_at", "err.bip.produced_future")
	case d.ProducedAt.Year() < 1900:
		return ratusz.Invalid("produced_at", "err.bip.produced_past")
	case len(d.Attachments)+len(d.Keep) > MaxAttachments:
		return ratusz.Invalid("attachments", "err.bip.too_many_attachments", MaxAttachments)
	}
	for i := range d.Attachments {
		if err := d.Attachments[i].validate(); err != nil {
			return err
		}
	}
	return nil
}

// Publish publishes a new publication in the caller's transaction: its
// first version, its attachments, its log entry and an outbox event commit
// together or not at all. The actor in ctx is the one who entered it;
// callers check that the actor may publish (Service.Create does it for the
// editor and the API).
func Publish(ctx context.Context, tx pgx.Tx, d Draft) (*Publication, error) {
	actor := ratusz.ActorFromContext(ctx)
	if err := actor.Require(); err != nil {
		return nil, err
	}
	now := nowMicro()
	if err := d.validate(now); err != nil {
		return nil, err
	}
	cat, err := categoryBySlugTx(ctx, tx, d.Category)
	if err != nil {
		return nil, err
	}
	var source *string
	if d.Source != "" {
		source = &d.Source
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO bip_publications (category_id, version, title, published_at, updated_at, source)
		VALUES ($1, 1, $2, $3, $3, $4) RETURNING id`, cat.ID, d.Title, now, source).Scan(&id)
	if err != nil {
		if pg.IsConstraint(err, "bip_publications_source_key") {
			return nil, ratusz.Errorf(ratusz.ECONFLICT, "err.bip.already_published")
		}
		return nil, err
	}
	return writeVersion(ctx, tx, id, 1, "publish", cat, d, "", now, now)
}

// Revise makes a new version of a publication with a required reason.
func Revise(ctx context.Context, tx pgx.Tx, id int64, d Draft, reason string) (*Publication, error) {
	reason, err := checkChange(ctx, reason)
	if err != nil {
		return nil, err
	}
	now := nowMicro()
	if err := d.validate(now); err != nil {
		return nil, err
	}
	cur, publishedAt, err := lockHead(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if cur.withdrawn {
		return nil, ratusz.Errorf(ratusz.ECONFLICT, "err.bip.withdrawn")
	}
	cat, err := categoryBySlugTx(ctx, tx, d.Category)
	if err != nil {
		return nil, err
	}
	// Only attachments of the current version can be carried over.
	for _, k := range d.Keep {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM bip_version_attachments WHERE publication_id = $1 AND version = $2 AND attachment_id = $3)`,
			id, cur.version, k).Scan(&ok); err != nil {
			return nil, err
		}
		if !ok {
			return nil, ratusz.Invalid("keep", "err.bip.attachment_not_found")
		}
	}
	return writeVersion(ctx, tx, id, cur.version+1, "revise", cat, d, reason, publishedAt, now)
}

// Withdraw withdraws a publication (wycofanie): a last version that keeps
// the content readable and says why it no longer applies.
func Withdraw(ctx context.Context, tx pgx.Tx, id int64, reason string) (*Publication, error) {
	reason, err := checkChange(ctx, reason)
	if err != nil {
		return nil, err
	}
	cur, publishedAt, err := lockHead(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if cur.withdrawn {
		return nil, ratusz.Errorf(ratusz.ECONFLICT, "err.bip.withdrawn")
	}
	p, err := loadVersion(ctx, tx, id, cur.version)
	if err != nil {
		return nil, err
	}
	return writeVersion(ctx, tx, id, cur.version+1, "withdraw", p.Category, p.Draft(), reason, publishedAt, nowMicro())
}

// checkChange requires an actor and a reason for a change.
func checkChange(ctx context.Context, reason string) (string, error) {
	if err := ratusz.ActorFromContext(ctx).Require(); err != nil {
		return "", err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", ratusz.Invalid("change_reason", "err.bip.reason_required")
	}
	if utf8.RuneCountInString(reason) > MaxReason {
		return "", ratusz.Invalid("change_reason", "err.too_long", MaxReason)
	}
	return reason, nil
}

type head struct {
	version   int
	withdrawn bool
}

func lockHead(ctx context.Context, tx pgx.Tx, id int64) (head, time.Time, error) {
	var h head
	var publishedAt time.Time
	err := tx.QueryRow(ctx, "SELECT version, withdrawn, published_at FROM bip_publications WHERE id = $1 FOR UPDATE", id).Scan(&h.version, &h.withdrawn, &publishedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return h, publishedAt, ratusz.Errorf(ratusz.ENOTFOUND, "err.bip.not_found")
	}
	return h, publishedAt, err
}

func categoryBySlugTx(ctx context.Context, tx pgx.Tx, slug string) (*Category, error) {
	c, err := (&Service{}).categoryWhere(ctx, tx, "slug = $1", slug)
	if ratusz.ErrorCode(err) == ratusz.ENOTFOUND {
		return nil, ratusz.Invalid("category", "err.bip.category_not_found")
	}
	return c, err
}

// writeVersion stores a version, its attachments, the log entry and the
// outbox event, and moves the publication's head.
// Events of BIP, all on Topic: "bip." and the kind of version written.
const (
	Topic          = "bip"
	EventPublished = "bip.publish"
	EventRevised   = "bip.revise"
	EventWithdrawn = "bip.withdraw"
)

func writeVersion(ctx context.Context, tx pgx.Tx, id int64, version int, kind string, cat *Category, d Draft, reason string, publishedAt, now time.Time) (*Publication, error) {
	actor := ratusz.ActorFromContext(ctx)
	var enteredBy *int64
	if actor.UserID > 0 {
		enteredBy = &actor.UserID
	}
	html := RenderMarkdown(d.Body)
	produced := d.ProducedAt.UTC().Truncate(time.Microsecond)
	_, err := tx.Exec(ctx, `INSERT INTO bip_versions (publication_id, version, kind, category_id, title, body, body_html,
		produced_by, responsible, produced_at, entered_by, entered_by_name, created_at, change_reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		id, version, kind, cat.ID, d.Title, d.Body, html, d.ProducedBy, d.Responsible, produced, enteredBy, actor.Name, now, reason)
	if err != nil {
		return nil, err
	}
	pos := 0
	for _, k := range d.Keep {
		if _, err := tx.Exec(ctx, `INSERT INTO bip_version_attachments (publication_id, version, attachment_id, position) VALUES ($1, $2, $3, $4)`,
			id, version, k, pos); err != nil {
			return nil, err
		}
		pos++
	}
	for _, a := range d.Attachments {
		var aid int64
		if err := tx.QueryRow(ctx, `INSERT INTO bip_attachments (publication_id, name, content_type, size, sha256, data)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, id, a.Name, a.contentType, len(a.Data), a.sum[:], a.Data).Scan(&aid); err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO bip_version_attachments (publication_id, version, attachment_id, position) VALUES ($1, $2, $3, $4)`,
			id, version, aid, pos); err != nil {
			return nil, err
		}
		pos++
	}
	if _, err := tx.Exec(ctx, `UPDATE bip_publications SET version = $2, title = $3, category_id = $4, withdrawn = $5, updated_at = $6 WHERE id = $1`,
		id, version, d.Title, cat.ID, kind == "withdraw", now); err != nil {
		return nil, err
	}
	p, err := loadVersion(ctx, tx, id, version)
	if err != nil {
		return nil, err
	}
	if err := appendLog(ctx, tx, p); err != nil {
		return nil, err
	}
	if err := outbox.Write(ctx, tx, "bip."+kind, Topic, map[string]any{"id": id, "version": version}); err != nil {
		return nil, err
	}
	return p, nil
}

// canonical is what a log entry's content hash covers: everything a version
// says, attachments by their hash.
type canonical struct {
	PublicationID int64             `json:"publication_id"`
	Version       int               `json:"version"`
	Kind          string            `json:"kind"`
	CategoryID    int64             `json:"category_id"`
	Title         string            `json:"title"`
	Body          string            `json:"body"`
	BodyHTML      string            `json:"body_html"`
	ProducedBy    string            `json:"produced_by"`
	Responsible   string            `json:"responsible"`
	ProducedAt    string            `json:"produced_at"`
	EnteredBy     string            `json:"entered_by"`
	CreatedAt     string            `json:"created_at"`
	ChangeReason  string            `json:"change_reason"`
	Attachments   []canonicalAttach `json:"attachments"`
}

type canonicalAttach struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

func contentHash(p *Publication) []byte {
	c := canonical{
		PublicationID: p.ID, Version: p.Version, Kind: p.Kind, CategoryID: p.Category.ID,
		Title: p.Title, Body: p.Body, BodyHTML: p.BodyHTML,
		ProducedBy: p.Metadata.ProducedBy, Responsible: p.Metadata.Responsible,
		ProducedAt: p.Metadata.ProducedAt.UTC().Format(time.RFC3339Nano), EnteredBy: p.Metadata.EnteredBy,
		CreatedAt: p.VersionAt.UTC().Format(time.RFC3339Nano), ChangeReason: p.ChangeReason,
		Attachments: []canonicalAttach{},
	}
	for _, a := range p.Attachments {
		c.Attachments = append(c.Attachments, canonicalAttach{a.Name, a.ContentType, a.Size, fmt.Sprintf("%x", a.SHA256)})
	}
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return sum[:]
}

func entryHash(seq int64, prev, content []byte) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "ratusz-bip-log\x00%d\x00", seq)
	h.Write(prev)
	h.Write(content)
	return h.Sum(nil)
}

// logLock serialises appends to the log across transactions and instances.
const logLock = 7_261_845_002

func appendLog(ctx context.Context, tx pgx.Tx, p *Publication) error {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", logLock); err != nil {
		return err
	}
	var seq int64
	prev := make([]byte, 32)
	err := tx.QueryRow(ctx, "SELECT seq, entry_hash FROM bip_log ORDER BY seq DESC LIMIT 1").Scan(&seq, &prev)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	seq++
	content := contentHash(p)
	_, err = tx.Exec(ctx, `INSERT INTO bip_log (seq, publication_id, version, content_hash, prev_hash, entry_hash, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, seq, p.ID, p.Version, content, prev, entryHash(seq, prev, content), p.VersionAt)
	return err
}

func nowMicro() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
