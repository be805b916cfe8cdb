package account

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/pg"
)

// Login throttling: failures counted over the window, per account and per
// address.
const (
	ThrottleWindow     = 15 * time.Minute
	MaxFailuresAccount = 5
	MaxFailuresAddr    = 20
	SessionLifetime    = 12 * time.Hour
)

// Authenticate checks an e-mail and password. Too many recent failures for
// the account or from the address refuse even a right password (ETOOMANY).
func (s *Service) Authenticate(ctx context.Context, email, password, addr string) (*User, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, ratusz.Invalid("email", "err.required")
	}
	if password == "" {
		return nil, ratusz.Invalid("password", "err.required")
	}
	// The attempt is counted before the password is checked, under a lock
	// per account and per address, so that attempts made at the same moment
	// are counted one after another: fifteen wrong passwords sent at once
	// used to be all checked against a limit of five. A right password
	// takes its attempt back.
	var attempt int64
	var throttled bool
	err := pg.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := pg.LockXact(ctx, tx, "login-account", strings.ToLower(email)); err != nil {
			return err
		}
		if err := pg.LockXact(ctx, tx, "login-addr", addr); err != nil {
			return err
		}
		var byAccount, byAddr int
		if err := tx.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE lower(email) = lower($1)),
			count(*) FILTER (WHERE addr = $2)
			FROM login_failures WHERE at > $3 AND (lower(email) = lower($1) OR addr = $2)`,
			email, addr, s.now().Add(-ThrottleWindow)).Scan(&byAccount, &byAddr); err != nil {
			return err
		}
		// A refused attempt counts too, so hammering keeps the door shut.
		throttled = byAccount >= MaxFailuresAccount || byAddr >= MaxFailuresAddr
		return tx.QueryRow(ctx, "INSERT INTO login_failures (email, addr, at) VALUES ($1, $2, $3) RETURNING id", email, addr, s.now()).Scan(&attempt)
	})
	if err != nil {
		return nil, err
	}
	if throttled {
		return nil, ratusz.Errorf(ratusz.ETOOMANY, "err.login_throttled", int(ThrottleWindow.Minutes()))
	}
	var hash *string
	var id int64
	var disabled bool
	err = s.pool.QueryRow(ctx, "SELECT id, password_hash, disabled FROM users WHERE lower(email) = lower($1)", email).Scan(&id, &hash, &disabled)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	ok := false
	if hash != nil {
		ok = CheckPassword(*hash, password)
	} else {
		CheckPassword(dummyHash, password) // same time as a wrong password
	}
	if !ok || disabled {
		return nil, ratusz.Errorf(ratusz.EUNAUTHORIZED, "err.login_failed")
	}
	if _, err := s.pool.Exec(ctx, "DELETE FROM login_failures WHERE id = $1", attempt); err != nil {
		return nil, err
	}
	return s.userWhere(ctx, "id = $1", id)
}

// CreateSession starts a browser session for the user and returns the
// random id for the cookie; only its hash is stored.
func (s *Service) CreateSession(ctx context.Context, userID int64) (string, error) {
	tok, hash := newSecret()
	_, err := s.pool.Exec(ctx, "INSERT INTO web_sessions (id_hash, user_id, expires_at) VALUES ($1, $2, $3)",
		hash, userID, s.now().Add(SessionLifetime))
	return tok, err
}

// SessionUser returns the account of a live session (EUNAUTHORIZED if the
// session is unknown, expired or its account disabled).
func (s *Service) SessionUser(ctx context.Context, sessionID string) (*User, error) {
	u, err := s.userWhere(ctx, `id = (SELECT user_id FROM web_sessions WHERE id_hash = $1 AND expires_at > $2) AND NOT disabled`,
		hashSecret(sessionID), s.now())
	if ratusz.ErrorCode(err) == ratusz.ENOTFOUND {
		return nil, ratusz.Errorf(ratusz.EUNAUTHORIZED, "err.session_expired")
	}
	return u, err
}

// DeleteSession ends a browser session (logout).
func (s *Service) DeleteSession(ctx context.Context, sessionID string) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM web_sessions WHERE id_hash = $1 OR expires_at < now()", hashSecret(sessionID))
	return err
}

// CreateToken makes a new API token for the account with the e-mail and
// returns it; it is shown once and only its hash is stored. Only admins may.
func (s *Service) CreateToken(ctx context.Context, email, name string) (string, error) {
	u, err := s.FindUserByEmail(ctx, email)
	if err != nil {
		return "", err
	}
	tok, hash := newSecret()
	_, err = s.pool.Exec(ctx, "INSERT INTO api_tokens (user_id, token_hash, name) VALUES ($1, $2, $3)", u.ID, hash, name)
	return "rtz_" + tok, err
}

// TokenUser returns the account owning an API token.
func (s *Service) TokenUser(ctx context.Context, token string) (*User, error) {
	tok, ok := strings.CutPrefix(token, "rtz_")
	if !ok {
		return nil, ratusz.Errorf(ratusz.EUNAUTHORIZED, "err.token_invalid")
	}
	u, err := s.userWhere(ctx, `id = (SELECT user_id FROM api_tokens WHERE token_hash = $1) AND NOT disabled`, hashSecret(tok))
	if ratusz.ErrorCode(err) == ratusz.ENOTFOUND {
		return nil, ratusz.Errorf(ratusz.EUNAUTHORIZED, "err.token_invalid")
	}
	if err == nil {
		_, err = s.pool.Exec(ctx, "UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1", hashSecret(tok))
	}
	return u, err
}

// Identity is what an OpenID provider told us about a resident.
type Identity struct {
	Issuer, Subject, Email, Name string
	Verified                     bool
}

// SignInResident finds or creates the resident account of an OpenID Connect
// identity (issuer + subject), refreshing its name and verified flag.
func (s *Service) SignInResident(ctx context.Context, id Identity) (*User, error) {
	if id.Issuer == "" || id.Subject == "" {
		return nil, ratusz.Errorf(ratusz.EUNAUTHORIZED, "err.login_failed")
	}
	name := strings.TrimSpace(id.Name)
	if name == "" {
		name = "Mieszkaniec"
	}
	if len([]rune(name)) > 200 {
		name = string([]rune(name)[:200])
	}
	rows, _ := s.pool.Query(ctx, `INSERT INTO users (name, roles, oidc_issuer, oidc_subject, verified)
		VALUES ($1, '{resident}', $2, $3, $4)
		ON CONFLICT (oidc_issuer, oidc_subject) WHERE oidc_issuer IS NOT NULL
		DO UPDATE SET name = EXCLUDED.name, verified = EXCLUDED.verified, updated_at = now()
		RETURNING `+userColumns, name, id.Issuer, id.Subject, id.Verified)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[User])
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, ratusz.Errorf(ratusz.EUNAUTHORIZED, "err.login_failed")
	}
	return u, nil
}

// OIDCLogin is a resident's sign-in in progress at the identity provider:
// the state sent with them, the nonce the ID token must carry, the PKCE
// verifier and where to go afterwards.
type OIDCLogin struct {
	State, Nonce, Verifier, Next string
}

// StartOIDCLogin records a sign-in in progress until expires.
func (s *Service) StartOIDCLogin(ctx context.Context, l OIDCLogin, expires time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO oidc_logins (state, nonce, verifier, next, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		l.State, l.Nonce, l.Verifier, l.Next, expires)
	return err
}

// TakeOIDCLogin returns the sign-in in progress with the state and forgets
// it, so that a state is used once; EUNAUTHORIZED when it is unknown,
// used or expired.
func (s *Service) TakeOIDCLogin(ctx context.Context, state string) (*OIDCLogin, error) {
	l := &OIDCLogin{State: state}
	err := s.pool.QueryRow(ctx, `DELETE FROM oidc_logins WHERE state = $1 AND expires_at > now() RETURNING nonce, verifier, next`,
		state).Scan(&l.Nonce, &l.Verifier, &l.Next)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ratusz.Errorf(ratusz.EUNAUTHORIZED, "err.oidc_failed")
	}
	return l, err
}
