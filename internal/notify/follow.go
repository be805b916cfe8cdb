// Package notify is follows and notices: a signed-in person follows a
// body, a councillor, a consultation, a budget edition, a BIP category or
// a saved search, and hears of what happens there at once or in a daily or
// weekly digest, by e-mail or SMS.
//
// The notifier reads every committed event of the outbox once, in the
// transaction that writes the notices it makes (outbox.Unnoticed); each
// module says what its events mean to whom (a Source, e.g.
// council.Notices). Notices are then bound to messages, and messages are
// claimed, sent and recorded. Every message carries a one-click
// unsubscribe that needs no sign-in. The composition root wires the
// sources, the targets' names and the senders.
package notify

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/i18n"
	"github.com/ratusz/ratusz/internal/pg"
)

// What can be followed.
const (
	TargetBody         = "body"
	TargetCouncillor   = "councillor"
	TargetConsultation = "consultation"
	TargetEdition      = "pb_edition"
	TargetBIPCategory  = "bip_category"
	TargetSavedSearch  = "saved_search"
)

// TargetTypes lists what can be followed, in the order pages show them.
var TargetTypes = []string{TargetBody, TargetCouncillor, TargetConsultation, TargetEdition, TargetBIPCategory, TargetSavedSearch}

// How and when.
var (
	Deliveries = []string{"immediate", "daily", "weekly"}
	Channels   = []string{"email", "sms"}
)

// MaxFollows is how many follows one person may have.
const MaxFollows = 200

// Target is what a follow follows.
type Target struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
}

// Follow is one person's follow.
type Follow struct {
	ID        int64     `json:"id"`
	Target    Target    `json:"target"`
	Name      string    `json:"name"` // the target's name, as pages show it
	URL       string    `json:"url"`  // the target's page
	Delivery  string    `json:"delivery"`
	Channel   string    `json:"channel"`
	CreatedAt time.Time `json:"created_at"`
}

// FollowInput is a new follow.
type FollowInput struct {
	Target   Target `json:"target"`
	Delivery string `json:"delivery"`
	Channel  string `json:"channel"`
}

// TargetInfo names a target: the composition root gives one per type,
// from the module that owns it. It returns ENOTFOUND for no such target
// (or, for a saved search, one that is not the actor's own).
type TargetInfo func(ctx context.Context, id int64) (name, url string, err error)

// Lookup is the TargetInfo of a query that takes the target's id and
// answers its name and page; no row is ENOTFOUND.
func Lookup(pool *pgxpool.Pool, query string) TargetInfo {
	return func(ctx context.Context, id int64) (name, url string, err error) {
		err = pool.QueryRow(ctx, query, id).Scan(&name, &url)
		if errors.Is(err, pgx.ErrNoRows) {
			err = ratusz.Errorf(ratusz.ENOTFOUND, "err.notify.target_not_found")
		}
		return name, url, err
	}
}

// Service holds follows and contacts and runs the notifier.
type Service struct {
	pool    *pgxpool.Pool
	targets map[string]TargetInfo
	sources []Source

	Mail         MailSender
	SMS          SMSSender // nil: SMS is not configured
	BaseURL      string
	Municipality string
	Log          *slog.Logger
	// Now is the clock digests are timed by.
	Now func() time.Time
	// ClaimFor is how long a message being sent is held before another
	// attempt may take it (it must outlast one send).
	ClaimFor time.Duration
	// Every is the check interval when nothing wakes the notifier.
	Every time.Duration

	wake chan struct{}
	// afterSend, in tests, runs after the server took a message and
	// before it is recorded as sent: an error there is a crash.
	afterSend func(messageID int64) error
}

// NewService returns the service; give it targets and sources before Run.
func NewService(pool *pgxpool.Pool, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{pool: pool, targets: map[string]TargetInfo{}, Log: log, Now: time.Now,
		ClaimFor: 2 * time.Minute, Every: 30 * time.Second, wake: make(chan struct{}, 1)}
}

// Target sets how targets of a type are named and found.
func (s *Service) Target(typ string, info TargetInfo) { s.targets[typ] = info }

// AddSource adds what one module's events mean to followers.
func (s *Service) AddSource(src Source) { s.sources = append(s.sources, src) }

// SMSEnabled reports whether SMS can be chosen.
func (s *Service) SMSEnabled() bool { return s.SMS != nil }

var errFollowNotFound = ratusz.Errorf(ratusz.ENOTFOUND, "err.notify.follow_not_found")

// Follow starts a follow for the actor, in the language lang for its
// messages. Every wrong field is reported at once; following the same
// target by the same channel twice is a conflict.
func (s *Service) Follow(ctx context.Context, in FollowInput, lang i18n.Lang) (*Follow, error) {
	a := ratusz.ActorFromContext(ctx)
	if err := a.Require(); err != nil {
		return nil, err
	}
	var errs ratusz.Invalids
	info, known := s.targets[in.Target.Type]
	if !known {
		errs = append(errs, ratusz.Invalid("target.type", "err.notify.target_type"))
	}
	if !slices.Contains(Deliveries, in.Delivery) {
		errs = append(errs, ratusz.Invalid("delivery", "err.notify.delivery"))
	}
	switch in.Channel {
	case "email":
		if a.Email == "" {
			if c, err := s.Contact(ctx); err != nil {
				return nil, err
			} else if c == nil || c.EmailTo == "" {
				errs = append(errs, ratusz.Invalid("channel", "err.notify.no_email"))
			}
		}
	case "sms":
		if s.SMS == nil {
			errs = append(errs, ratusz.Invalid("channel", "err.notify.sms_off"))
		} else if c, err := s.Contact(ctx); err != nil {
			return nil, err
		} else if c == nil || c.SMSTo == "" {
			errs = append(errs, ratusz.Invalid("channel", "err.notify.phone_unverified"))
		}
	default:
		errs = append(errs, ratusz.Invalid("channel", "err.notify.channel"))
	}
	f := &Follow{Target: in.Target, Delivery: in.Delivery, Channel: in.Channel}
	if known {
		name, url, err := info(ctx, in.Target.ID)
		switch {
		case ratusz.ErrorCode(err) == ratusz.ENOTFOUND:
			errs = append(errs, ratusz.Invalid("target.id", "err.notify.target_not_found"))
		case err != nil:
			return nil, err
		}
		f.Name, f.URL = name, url
	}
	if len(errs) > 0 {
		return nil, errs
	}
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := pg.LockXact(ctx, tx, "follows", a.UserID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM follows WHERE user_id = $1 AND ended_at IS NULL", a.UserID).Scan(&n); err != nil {
			return err
		}
		if n >= MaxFollows {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.notify.too_many", MaxFollows)
		}
		err := tx.QueryRow(ctx, `INSERT INTO follows (user_id, target_type, target_id, delivery, channel, lang)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, target_type, target_id, channel) WHERE ended_at IS NULL DO NOTHING
			RETURNING id, created_at`, a.UserID, in.Target.Type, in.Target.ID, in.Delivery, in.Channel, string(lang)).Scan(&f.ID, &f.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return ratusz.Errorf(ratusz.ECONFLICT, "err.notify.already")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Follows returns the actor's own follows, newest first, with their
// targets' names.
func (s *Service) Follows(ctx context.Context) ([]*Follow, error) {
	a := ratusz.ActorFromContext(ctx)
	if err := a.Require(); err != nil {
		return nil, err
	}
	rows, _ := s.pool.Query(ctx, `SELECT id, target_type, target_id, delivery, channel, created_at FROM follows
		WHERE user_id = $1 AND ended_at IS NULL ORDER BY created_at DESC, id DESC`, a.UserID)
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*Follow, error) {
		f := &Follow{}
		return f, row.Scan(&f.ID, &f.Target.Type, &f.Target.ID, &f.Delivery, &f.Channel, &f.CreatedAt)
	})
	if err != nil {
		return nil, err
	}
	for _, f := range list {
		if info := s.targets[f.Target.Type]; info != nil {
			f.Name, f.URL, err = info(ctx, f.Target.ID)
			if err != nil && ratusz.ErrorCode(err) != ratusz.ENOTFOUND {
				return nil, err
			}
		}
	}
	return list, nil
}

// FollowsOf returns the actor's follows of one target (one per channel);
// none for an anonymous visitor.
func (s *Service) FollowsOf(ctx context.Context, t Target) ([]*Follow, error) {
	a := ratusz.ActorFromContext(ctx)
	if a.Anonymous() {
		return nil, nil
	}
	rows, _ := s.pool.Query(ctx, `SELECT id, delivery, channel, created_at FROM follows
		WHERE user_id = $1 AND target_type = $2 AND target_id = $3 AND ended_at IS NULL ORDER BY channel`, a.UserID, t.Type, t.ID)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (*Follow, error) {
		f := &Follow{Target: t}
		return f, row.Scan(&f.ID, &f.Delivery, &f.Channel, &f.CreatedAt)
	})
}

// SetDelivery changes when one of the actor's follows is delivered.
func (s *Service) SetDelivery(ctx context.Context, id int64, delivery string) error {
	a := ratusz.ActorFromContext(ctx)
	if err := a.Require(); err != nil {
		return err
	}
	if !slices.Contains(Deliveries, delivery) {
		return ratusz.Invalid("delivery", "err.notify.delivery")
	}
	tag, err := s.pool.Exec(ctx, "UPDATE follows SET delivery = $3 WHERE id = $1 AND user_id = $2 AND ended_at IS NULL", id, a.UserID, delivery)
	if err == nil && tag.RowsAffected() == 0 {
		return errFollowNotFound
	}
	return err
}

// Unfollow ends one of the actor's follows; its notices not yet sent are
// dropped. Ending a follow already ended (a second click) is no error. It
// returns what the follow followed, for the page to name it.
func (s *Service) Unfollow(ctx context.Context, id int64) (Target, error) {
	a := ratusz.ActorFromContext(ctx)
	var t Target
	if err := a.Require(); err != nil {
		return t, err
	}
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, "UPDATE follows SET ended_at = coalesce(ended_at, now()) WHERE id = $1 AND user_id = $2 RETURNING target_type, target_id",
			id, a.UserID).Scan(&t.Type, &t.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return errFollowNotFound
		}
		if err != nil {
			return err
		}
		return dropPending(ctx, tx, []int64{id})
	})
	return t, err
}

func dropPending(ctx context.Context, tx pgx.Tx, follows []int64) error {
	_, err := tx.Exec(ctx, "DELETE FROM notices WHERE follow_id = ANY($1) AND message_id IS NULL", follows)
	return err
}

// Followable is a module whose things can be followed: AddTo gives the
// service its targets' names and its events' meaning.
type Followable interface{ AddTo(n *Service) }

// TargetName names a target that may be followed, in the words its module
// gives it.
func (s *Service) TargetName(ctx context.Context, t Target) (string, error) {
	info, ok := s.targets[t.Type]
	if !ok {
		return "", ratusz.Errorf(ratusz.ENOTFOUND, "err.notify.target_not_found")
	}
	name, _, err := info(ctx, t.ID)
	return name, err
}

// Register adds modules' targets and sources.
func (s *Service) Register(ms ...Followable) {
	for _, m := range ms {
		m.AddTo(s)
	}
}
