// Package account holds accounts and their roles, passwords, browser sessions,
// API tokens, login throttling and OpenID Connect residents.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/pg"
)

// User is an account: staff with a password, or a resident signed in through
// OpenID Connect.
type User struct {
	ID          int64         `json:"id" db:"id"`
	Email       *string       `json:"email" db:"email"`
	Name        string        `json:"name" db:"name"`
	Roles       []ratusz.Role `json:"roles" db:"roles"`
	Verified    bool          `json:"verified" db:"verified"`
	Disabled    bool          `json:"disabled" db:"disabled"`
	OIDCIssuer  *string       `json:"-" db:"oidc_issuer"`
	OIDCSubject *string       `json:"-" db:"oidc_subject"`
	HasPassword bool          `json:"-" db:"has_password"`
	CreatedAt   time.Time     `json:"created_at" db:"created_at"`
}

// Actor returns the user as the actor of a request.
func (u *User) Actor() ratusz.Actor {
	a := ratusz.Actor{UserID: u.ID, Name: u.Name, Roles: u.Roles, Verified: u.Verified}
	if u.Email != nil {
		a.Email = *u.Email
	}
	return a
}

// EmailString returns the e-mail or "".
func (u *User) EmailString() string {
	if u.Email == nil {
		return ""
	}
	return *u.Email
}

// HasRole reports whether the user holds the role itself (not through admin).
func (u *User) HasRole(r ratusz.Role) bool { return slices.Contains(u.Roles, r) }

const userColumns = `id, email, name, roles, verified, disabled, oidc_issuer, oidc_subject,
	password_hash IS NOT NULL AS has_password, created_at`

// Service manages accounts. Every method checks the actor in the context.
type Service struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool, now: time.Now} }

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// UserInput is a new account or a change to one.
type UserInput struct {
	Email    string        `json:"email"`
	Name     string        `json:"name"`
	Roles    []ratusz.Role `json:"roles"`
	Password string        `json:"password"`
	Disabled bool          `json:"disabled"`
}

func (in *UserInput) normalize() {
	in.Email = strings.TrimSpace(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	slices.Sort(in.Roles)
	in.Roles = slices.Compact(in.Roles)
}

func (in *UserInput) validate(passwordRequired bool) error {
	if _, err := ratusz.Email("email", in.Email, false); err != nil {
		return err
	}
	if in.Name == "" {
		return ratusz.Invalid("name", "err.required")
	}
	if utf8.RuneCountInString(in.Name) > 200 {
		return ratusz.Invalid("name", "err.too_long", 200)
	}
	for _, r := range in.Roles {
		if !r.Valid() {
			return ratusz.Invalid("roles", "err.role_unknown", string(r))
		}
	}
	if in.Password != "" || passwordRequired {
		if utf8.RuneCountInString(in.Password) < MinPasswordLength {
			return ratusz.Invalid("password", "err.password_short", MinPasswordLength)
		}
		if len(in.Password) > 1024 {
			return ratusz.Invalid("password", "err.too_long", 1024)
		}
	}
	return nil
}

// CreateUser adds a staff account. Only admins may.
func (s *Service) CreateUser(ctx context.Context, in UserInput) (*User, error) {
	if err := ratusz.ActorFromContext(ctx).Require(ratusz.RoleAdmin); err != nil {
		return nil, err
	}
	in.normalize()
	if err := in.validate(true); err != nil {
		return nil, err
	}
	rows, _ := s.pool.Query(ctx, `INSERT INTO users (email, name, roles, password_hash, disabled)
		VALUES ($1, $2, $3, $4, $5) RETURNING `+userColumns,
		in.Email, in.Name, roleStrings(in.Roles), HashPassword(in.Password), in.Disabled)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[User])
	if pg.IsConstraint(err, "users_email_key") {
		return nil, &ratusz.Error{Code: ratusz.ECONFLICT, Field: "email", Message: "err.email_taken"}
	}
	return u, err
}

// UpdateUser changes an account's name, roles, disabled flag and, if given,
// password. Admins may not take away their own admin role nor disable
// themselves, so that a municipality cannot lock itself out by a slip.
func (s *Service) UpdateUser(ctx context.Context, id int64, in UserInput) (*User, error) {
	actor := ratusz.ActorFromContext(ctx)
	if err := actor.Require(ratusz.RoleAdmin); err != nil {
		return nil, err
	}
	old, err := s.FindUserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if in.Email == "" {
		in.Email = old.EmailString()
	}
	in.normalize()
	if old.Email == nil && in.Email == "" { // a resident without e-mail
		in.Email = "resident@invalid.invalid"
	}
	if err := in.validate(false); err != nil {
		return nil, err
	}
	if id == actor.UserID && (!slices.Contains(in.Roles, ratusz.RoleAdmin) || in.Disabled) {
		return nil, ratusz.Invalid("roles", "err.self_lockout")
	}
	var hash *string
	if in.Password != "" {
		h := HashPassword(in.Password)
		hash = &h
	}
	email := &in.Email
	if old.Email == nil {
		email = nil
	}
	// A new password or a disabled account ends every session and API
	// token of the account, in the same transaction: whoever knew the old
	// password (the reason for a reset, often) is out at once.
	var u *User
	err = pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `UPDATE users SET email = $2, name = $3, roles = $4, disabled = $5,
			password_hash = coalesce($6, password_hash), updated_at = now()
			WHERE id = $1 RETURNING `+userColumns,
			id, email, in.Name, roleStrings(in.Roles), in.Disabled, hash)
		var err error
		if u, err = pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[User]); err != nil {
			return err
		}
		if in.Disabled || hash != nil {
			if _, err := tx.Exec(ctx, "DELETE FROM web_sessions WHERE user_id = $1", id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "DELETE FROM api_tokens WHERE user_id = $1", id); err != nil {
				return err
			}
		}
		return nil
	})
	if pg.IsConstraint(err, "users_email_key") {
		return nil, &ratusz.Error{Code: ratusz.ECONFLICT, Field: "email", Message: "err.email_taken"}
	}
	if err != nil {
		return nil, err
	}
	return u, err
}

// FindUserByID returns one account; admins may see any, others only their own.
func (s *Service) FindUserByID(ctx context.Context, id int64) (*User, error) {
	actor := ratusz.ActorFromContext(ctx)
	if err := actor.Require(); err != nil {
		return nil, err
	}
	if actor.UserID != id && !actor.Has(ratusz.RoleAdmin) {
		return nil, ratusz.Errorf(ratusz.EFORBIDDEN, "err.forbidden")
	}
	return s.userWhere(ctx, "id = $1", id)
}

// FindUserByIDText is FindUserByID for an id as a URL writes it: text that
// is no number names no account.
func (s *Service) FindUserByIDText(ctx context.Context, id string) (*User, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.user_not_found")
	}
	return s.FindUserByID(ctx, n)
}

// FindUserByEmail returns the account with the e-mail (any letter case).
// Only admins may look accounts up.
func (s *Service) FindUserByEmail(ctx context.Context, email string) (*User, error) {
	if err := ratusz.ActorFromContext(ctx).Require(ratusz.RoleAdmin); err != nil {
		return nil, err
	}
	return s.userWhere(ctx, "lower(email) = lower($1)", strings.TrimSpace(email))
}

func (s *Service) userWhere(ctx context.Context, where string, args ...any) (*User, error) {
	rows, _ := s.pool.Query(ctx, "SELECT "+userColumns+" FROM users WHERE "+where, args...)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[User])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.ENOTFOUND, "err.user_not_found")
	}
	return u, err
}

// UserFilter selects accounts; zero fields match all.
type UserFilter struct {
	Role   ratusz.Role
	Query  string // part of the name or e-mail
	Offset int
	Limit  int
}

// FindUsers returns a page of accounts ordered by name, and the total count.
func (s *Service) FindUsers(ctx context.Context, f UserFilter) ([]*User, int, error) {
	if err := ratusz.ActorFromContext(ctx).Require(ratusz.RoleAdmin); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	where := "($1 = '' OR $1 = ANY (roles)) AND ($2 = '' OR name ILIKE '%' || $2 || '%' OR email ILIKE '%' || $2 || '%')"
	var total int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM users WHERE "+where, string(f.Role), f.Query).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, _ := s.pool.Query(ctx, "SELECT "+userColumns+" FROM users WHERE "+where+
		` ORDER BY name COLLATE "C", id OFFSET $3 LIMIT $4`, string(f.Role), f.Query, f.Offset, f.Limit)
	users, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[User])
	return users, total, err
}

func roleStrings(roles []ratusz.Role) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return out
}

// newSecret returns a random URL-safe token and its SHA-256, which is all
// that is stored.
func newSecret() (string, []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	return tok, hashSecret(tok)
}

func hashSecret(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}
