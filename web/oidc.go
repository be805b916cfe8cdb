package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/internal/config"
	"golang.org/x/oauth2"
)

// oidcClient signs residents in with the authorization-code flow, PKCE S256,
// state and nonce. The provider is discovered on first use, so that the site
// starts even while the provider is down.
type oidcClient struct {
	cfg *config.Config

	mu       sync.Mutex
	provider *oidc.Provider
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func newOIDCClient(cfg *config.Config) *oidcClient { return &oidcClient{cfg: cfg} }

func (c *oidcClient) discover(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider == nil {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		p, err := oidc.NewProvider(context.WithoutCancel(ctx), c.cfg.OIDCIssuer)
		if err != nil {
			return nil, nil, fmt.Errorf("oidc discovery: %w", err)
		}
		c.provider = p
		c.oauth = oauth2.Config{
			ClientID:     c.cfg.OIDCClientID,
			ClientSecret: c.cfg.OIDCClientSecret,
			Endpoint:     p.Endpoint(),
			RedirectURL:  c.cfg.BaseURL.String() + "/auth/oidc/callback",
			Scopes:       []string{oidc.ScopeOpenID, "profile", "email"},
		}
		c.verifier = p.Verifier(&oidc.Config{ClientID: c.cfg.OIDCClientID})
	}
	return &c.oauth, c.verifier, nil
}

func randomString() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

const oidcLoginLifetime = 10 * time.Minute

// oidcLogin sends the resident to the provider.
func (s *Server) oidcLogin(w http.ResponseWriter, r *http.Request) error {
	if s.oidc == nil {
		return ratusz.Errorf(ratusz.ENOTFOUND, "err.oidc_off")
	}
	oc, _, err := s.oidc.discover(r.Context())
	if err != nil {
		s.Log.Warn("oidc provider unavailable", "err", err)
		return ratusz.Errorf(ratusz.EINTERNAL, "err.oidc_unavailable")
	}
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	err = s.Accounts.StartOIDCLogin(r.Context(), account.OIDCLogin{State: state, Nonce: nonce, Verifier: verifier,
		Next: localPath(r.URL.Query().Get("next"))}, time.Now().Add(oidcLoginLifetime))
	if err != nil {
		return err
	}
	// The state is bound to this browser: the callback must come back with
	// the same state in a cookie, so that a callback URL someone else
	// started cannot sign this browser in as them (login CSRF).
	http.SetCookie(w, &http.Cookie{Name: s.oidcCookie(r), Value: state, Path: "/", MaxAge: int(oidcLoginLifetime.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	http.Redirect(w, r, oc.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), http.StatusFound)
	return nil
}

var errOIDCFailed = ratusz.Errorf(ratusz.EUNAUTHORIZED, "err.oidc_failed")

// oidcCallback takes the provider's answer: the state must be one we issued
// and not yet used, the code is exchanged with the PKCE verifier, and the ID
// token's signature, issuer, audience, expiry and nonce are checked.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	if s.oidc == nil {
		return ratusz.Errorf(ratusz.ENOTFOUND, "err.oidc_off")
	}
	ctx := r.Context()
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		s.Log.Info("oidc login refused by provider", "error", e)
		return errOIDCFailed
	}
	bound, _ := r.Cookie(s.oidcCookie(r))
	http.SetCookie(w, &http.Cookie{Name: s.oidcCookie(r), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	state := q.Get("state")
	if bound == nil || subtle.ConstantTimeCompare([]byte(bound.Value), []byte(state)) != 1 {
		s.Log.Info("oidc login: state not started in this browser")
		return errOIDCFailed
	}
	login, err := s.Accounts.TakeOIDCLogin(ctx, state)
	if ratusz.ErrorCode(err) == ratusz.EUNAUTHORIZED {
		s.Log.Info("oidc login: unknown or used state")
		return errOIDCFailed
	} else if err != nil {
		return err
	}
	nonce, verifier, next := login.Nonce, login.Verifier, login.Next
	oc, idv, err := s.oidc.discover(ctx)
	if err != nil {
		return err
	}
	tok, err := oc.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		s.Log.Info("oidc login: code exchange failed", "err", err)
		return errOIDCFailed
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		s.Log.Info("oidc login: no id_token")
		return errOIDCFailed
	}
	idt, err := idv.Verify(ctx, raw)
	if err != nil {
		s.Log.Info("oidc login: id token refused", "err", err)
		return errOIDCFailed
	}
	if idt.Nonce != nonce {
		s.Log.Info("oidc login: nonce mismatch")
		return errOIDCFailed
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return errOIDCFailed
	}
	name, _ := claims["name"].(string)
	email, _ := claims["email"].(string)
	u, err := s.Accounts.SignInResident(ctx, account.Identity{
		Issuer: idt.Issuer, Subject: idt.Subject, Name: name, Email: email,
		Verified: verifiedClaim(s.Config.OIDCVerifiedClaim, claims),
	})
	if err != nil {
		return err
	}
	id, err := s.Accounts.CreateSession(ctx, u.ID)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, r, id, account.SessionLifetime)
	http.Redirect(w, r, localPath(next), http.StatusSeeOther)
	return nil
}

// verifiedClaim reports whether the claims mark a verified resident: spec is
// "name" (the claim is true) or "name=value" (the claim equals, or as a list
// holds, value).
func verifiedClaim(spec string, claims map[string]any) bool {
	if spec == "" {
		return false
	}
	name, want, hasValue := strings.Cut(spec, "=")
	v, ok := claims[name]
	if !ok {
		return false
	}
	if !hasValue {
		b, isBool := v.(bool)
		return (isBool && b) || v == "true"
	}
	switch v := v.(type) {
	case string:
		return v == want
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok && s == want {
				return true
			}
		}
	case float64, bool:
		return fmt.Sprint(v) == want
	}
	return false
}

// oidcCookie names the cookie that binds a sign-in's state to the browser:
// with TLS, __Host- keeps it to this host and path, set only over https.
func (s *Server) oidcCookie(r *http.Request) string {
	if s.secure(r) {
		return "__Host-ratusz_oidc"
	}
	return "ratusz_oidc"
}
