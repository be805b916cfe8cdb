package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ratusz/ratusz/internal/mail"
)

// MailSender sends one e-mail with its own headers (internal/mail).
type MailSender interface {
	SendMessage(ctx context.Context, m mail.Message) error
}

// SMSSender sends one text message to a phone number in E.164 form.
type SMSSender interface {
	SendSMS(ctx context.Context, phone, text string) error
}

// NewSMS returns the sender RATUSZ_SMS_URL names, or nil for "":
//
//	smsapi://TOKEN@api.smsapi.pl?from=Gmina   SMSAPI.pl's HTTP API (sms.do), OAuth token
//	smsapi+http://TOKEN@127.0.0.1:9000        the same API over plain HTTP, for a test double on loopback
//	spool:                                    each message written to a file in spoolDir (the demo)
//
// The token is a secret: it is never logged.
func NewSMS(raw, spoolDir string) (SMSSender, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("RATUSZ_SMS_URL: not a URL")
	}
	switch u.Scheme {
	case "spool":
		return &spoolSMS{dir: spoolDir}, nil
	case "smsapi", "smsapi+http":
		tok := u.User.Username()
		if tok == "" || u.Host == "" {
			return nil, errors.New("RATUSZ_SMS_URL: want smsapi://TOKEN@api.smsapi.pl[?from=NAME]")
		}
		scheme := "https"
		if u.Scheme == "smsapi+http" {
			scheme = "http"
		}
		return &smsAPI{endpoint: scheme + "://" + u.Host + "/sms.do", token: tok, from: u.Query().Get("from"),
			client: &http.Client{Timeout: 20 * time.Second}}, nil
	}
	return nil, fmt.Errorf("RATUSZ_SMS_URL: unknown kind %q (smsapi:// or spool:)", u.Scheme)
}

// smsAPI speaks SMSAPI.pl's sms.do: a form POST with the OAuth token as a
// bearer token, answered in JSON ({"count":1,…} or {"error":…,"message":…}).
type smsAPI struct {
	endpoint, token, from string
	client                *http.Client
}

func (s *smsAPI) SendSMS(ctx context.Context, phone, text string) error {
	form := url.Values{"to": {strings.TrimPrefix(phone, "+")}, "message": {text}, "format": {"json"}, "encoding": {"utf-8"}}
	if s.from != "" {
		form.Set("from", s.from)
	}
	req, err := http.NewRequestWithContext(ctx, "POST", s.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+s.token)
	res, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	defer res.Body.Close()
	var ans struct {
		Count   int    `json:"count"`
		Error   int    `json:"error"`
		Message string `json:"message"`
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err := json.Unmarshal(body, &ans); err != nil || res.StatusCode != http.StatusOK {
		return fmt.Errorf("sms: the provider answered %s", res.Status)
	}
	if ans.Error != 0 || ans.Count < 1 {
		return fmt.Errorf("sms: the provider refused (%d: %s)", ans.Error, ans.Message)
	}
	return nil
}

// spoolSMS writes each message to a file readable by its owner only.
type spoolSMS struct{ dir string }

func (s *spoolSMS) SendSMS(ctx context.Context, phone, text string) error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(s.dir, time.Now().UTC().Format("20060102T150405")+"-*.txt")
	if err != nil {
		return err
	}
	if _, err := f.WriteString("To: " + phone + "\n\n" + text + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SpoolDir is where "spool:" writes, under the data directory.
func SpoolDir(dataDir string) string { return filepath.Join(dataDir, "sms") }
