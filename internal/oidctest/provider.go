// Package oidctest is an OpenID Provider for tests, and the demo's
// stand-in for the national one (NewDemo): discovery, JWKS, an
// authorization endpoint with a sign-in form, and a token endpoint that
// checks the client, the redirect URI and the PKCE S256 verifier, issuing
// RS256-signed ID tokens. Knobs make it misbehave in the ways a relying party
// must refuse: a wrong nonce, a wrong audience, an expired token, a bad
// signature.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Provider is a running OpenID Provider on loopback.
type Provider struct {
	URL          string // the issuer
	ClientID     string
	ClientSecret string

	mu     sync.Mutex
	key    *rsa.PrivateKey
	rogue  *rsa.PrivateKey // signs tokens when BadSignature is set
	codes  map[string]grant
	srv    *httptest.Server
	Claims map[string]any // extra claims put in every ID token

	// AutoLogin, when set, signs this subject in without showing the form.
	AutoLogin string
	// Misbehaviour.
	WrongNonce, WrongAudience, Expired, BadSignature bool

	demo string // the municipality, for the stand-in of NewDemo
}

type grant struct {
	subject, clientID, redirectURI, challenge, nonce string
	name                                             string         // the demo's: as typed
	claims                                           map[string]any // the demo's: the resident's
}

// New starts a provider; close it with Close.
func New() *Provider {
	p := newProvider()
	p.srv.Start()
	p.URL = p.srv.URL
	return p
}

// newProvider makes a provider whose server is not started yet.
func newProvider() *Provider {
	p := &Provider{ClientID: "ratusz", ClientSecret: "test-secret", codes: map[string]grant{}, Claims: map[string]any{}}
	p.key, _ = rsa.GenerateKey(rand.Reader, 2048)
	p.rogue, _ = rsa.GenerateKey(rand.Reader, 2048)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /keys", p.keys)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /authorize", p.approve)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewUnstartedServer(mux)
	return p
}

// NewDemo starts the stand-in for the national identity provider that
// `make run` offers beside the demo: the same protocol, on addr (loopback),
// with a page that says what it is, where a newcomer types a name and
// says whether the person lives in the municipality. Its client secret is
// made anew at each start; it is never for production.
func NewDemo(addr, municipality string) (*Provider, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	p := newProvider()
	p.ClientSecret = random()
	p.demo = municipality
	p.srv.Listener.Close()
	p.srv.Listener = ln
	p.srv.Start()
	p.URL = p.srv.URL
	return p, nil
}

// Close stops the provider.
func (p *Provider) Close() { p.srv.Close() }

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	json.NewEncoder(w).Encode(map[string]any{
		"issuer":                                p.URL,
		"authorization_endpoint":                p.URL + "/authorize",
		"token_endpoint":                        p.URL + "/token",
		"jwks_uri":                              p.URL + "/keys",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

func (p *Provider) keys(w http.ResponseWriter, r *http.Request) {
	json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
}

var form = template.Must(template.New("").Parse(`<!doctype html><html lang="en"><head><title>Test identity provider</title></head>
<body><main><h1>Test identity provider</h1><form method="post" action="/authorize">
{{range $k, $v := .}}<input type="hidden" name="{{$k}}" value="{{index $v 0}}">{{end}}
<label for="login">User</label> <input id="login" name="login" value="resident-1">
<button type="submit" id="approve">Sign in</button></form></main></body></html>`))

// demoForm is the stand-in's sign-in page: it says plainly what it is.
var demoForm = template.Must(template.New("").Parse(`<!doctype html><html lang="pl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Demonstracyjne logowanie mieszkańca</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
.warn{border-left:5px solid #a4161a;background:#fdeeee;padding:.75rem 1rem}label{display:block;margin-top:1rem;font-weight:600}
input[type=text]{font:inherit;padding:.5rem;width:100%;box-sizing:border-box}button{font:inherit;margin-top:1.25rem;padding:.6rem 1.2rem;background:#0b5394;color:#fff;border:0;border-radius:.3rem}
.check{display:flex;gap:.5rem;align-items:center;margin-top:1rem}.check label{margin:0;font-weight:400}input[type=checkbox]{width:1.4rem;height:1.4rem}</style></head>
<body><main><h1>Demonstracyjne logowanie mieszkańca</h1>
<p class="warn"><strong>To nie jest login.gov.pl.</strong> Ta strona zastępuje krajowy węzeł identyfikacji tylko w wersji demonstracyjnej Ratusza, na tym komputerze. W gminie tu byłby login.gov.pl (Profil Zaufany, e-dowód, bankowość elektroniczna).
<span lang="en">This is a stand-in for the national sign-in, in the demo only.</span></p>
<form method="post" action="/authorize">
{{range $k, $v := .Q}}<input type="hidden" name="{{$k}}" value="{{index $v 0}}">{{end}}
<label for="name">Imię i nazwisko</label><input type="text" id="name" name="name" value="Anna Mieszkańska" required>
<label for="login">Identyfikator osoby (w węźle krajowym: PESEL)</label><input type="text" id="login" name="login" value="demo-mieszkanka-1" required>
<div class="check"><input type="checkbox" id="resident" name="resident" value="1" checked><label for="resident">Zameldowanie na terenie: {{.Municipality}} (węzeł potwierdza adres)</label></div>
<button type="submit" id="approve">Zaloguj</button></form></main></body></html>`))

// authorize checks the request and shows the sign-in form (or, with
// AutoLogin, approves at once).
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != p.ClientID || q.Get("response_type") != "code" || q.Get("redirect_uri") == "" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "PKCE S256 required", http.StatusBadRequest)
		return
	}
	if q.Get("state") == "" || q.Get("nonce") == "" {
		http.Error(w, "state and nonce required", http.StatusBadRequest)
		return
	}
	if p.AutoLogin != "" {
		p.issueCode(w, r, q, p.AutoLogin)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if p.demo != "" {
		demoForm.Execute(w, map[string]any{"Q": q, "Municipality": p.demo})
		return
	}
	form.Execute(w, q)
}

func (p *Provider) approve(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	p.issueCode(w, r, r.PostForm, r.PostForm.Get("login"))
}

func (p *Provider) issueCode(w http.ResponseWriter, r *http.Request, q url.Values, subject string) {
	code := random()
	p.mu.Lock()
	g := grant{subject: subject, clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"),
		challenge: q.Get("code_challenge"), nonce: q.Get("nonce")}
	if p.demo != "" { // what the stand-in's form said of the person
		g.name = strings.TrimSpace(q.Get("name"))
		if q.Get("resident") == "1" {
			g.claims = map[string]any{"resident_of": p.demo}
		}
	}
	p.codes[code] = g
	p.mu.Unlock()
	u, _ := url.Parse(q.Get("redirect_uri"))
	v := u.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.ClientID || secret != p.ClientSecret {
		tokenError(w, "invalid_client")
		return
	}
	p.mu.Lock()
	g, found := p.codes[r.PostForm.Get("code")]
	delete(p.codes, r.PostForm.Get("code"))
	p.mu.Unlock()
	if !found || g.clientID != id || g.redirectURI != r.PostForm.Get("redirect_uri") {
		tokenError(w, "invalid_grant")
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		tokenError(w, "invalid_grant")
		return
	}
	now := time.Now()
	claims := map[string]any{
		"iss": p.URL, "sub": g.subject, "aud": p.ClientID, "nonce": g.nonce,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"name": "Mieszkanka " + g.subject,
	}
	if g.name != "" {
		claims["name"] = g.name
	}
	for k, v := range g.claims {
		claims[k] = v
	}
	p.mu.Lock()
	for k, v := range p.Claims {
		claims[k] = v
	}
	if p.WrongNonce {
		claims["nonce"] = "not-the-nonce"
	}
	if p.WrongAudience {
		claims["aud"] = "someone-else"
	}
	if p.Expired {
		claims["iat"] = now.Add(-2 * time.Hour).Unix()
		claims["exp"] = now.Add(-time.Hour).Unix()
	}
	key := p.key
	if p.BadSignature {
		key = p.rogue
	}
	p.mu.Unlock()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "k1").WithType("JWT"))
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	idToken, _ := jws.CompactSerialize()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"access_token": random(), "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
}

func tokenError(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, `{"error":%q}`, code)
}

func random() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
