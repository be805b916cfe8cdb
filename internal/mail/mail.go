// Package mail sends the plain-text mail Ratusz writes (search alerts,
// later notices and digests) through an SMTP server: smtp:// with STARTTLS
// when the server offers it, or smtps://. Without a server it writes each
// message to a spool folder, readable by its owner only, and logs only
// where: a message may carry a secret (an unsubscribe token), so its text
// never goes to the log.
package mail

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/smtp"
	"net/url"
	"os"
	"strings"
	"time"
)

// Mailer sends mail from From through URL, or spools it in Spool.
type Mailer struct {
	URL   string // RATUSZ_SMTP_URL; empty: spool
	From  string
	Spool string // folder for messages when there is no server
	Log   *slog.Logger
}

// Message is a plain-text e-mail with, optionally, headers of its own
// (Message-ID, List-Unsubscribe), each a "Name: value" line.
type Message struct {
	To, Subject, Body string
	Headers           []string
}

// Send sends one message.
func (m *Mailer) Send(ctx context.Context, to, subject, body string) error {
	return m.SendMessage(ctx, Message{To: to, Subject: subject, Body: body})
}

// SendMessage sends one message with its own headers.
func (m *Mailer) SendMessage(ctx context.Context, msg Message) error {
	for _, h := range msg.Headers {
		if strings.ContainsAny(h, "\r\n") || !strings.Contains(h, ": ") {
			return fmt.Errorf("mail: bad header %q", h)
		}
	}
	if m.URL == "" {
		path, err := m.spool(msg)
		if err != nil {
			return fmt.Errorf("mail not sent (no RATUSZ_SMTP_URL) and not spooled: %w", err)
		}
		if m.Log != nil {
			m.Log.Info("mail spooled (RATUSZ_SMTP_URL not set)", "file", path)
		}
		return nil
	}
	return m.send(ctx, msg)
}

func header(from string, msg Message) string {
	extra := ""
	for _, h := range msg.Headers {
		extra += h + "\r\n"
	}
	return "From: " + from + "\r\nTo: " + msg.To + "\r\nSubject: " + mime.QEncoding.Encode("utf-8", msg.Subject) +
		"\r\n" + extra + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\nDate: " +
		time.Now().UTC().Format(time.RFC1123Z) + "\r\n\r\n"
}

// spool writes a message to a file of the spool folder, readable by its
// owner only, and returns the file's path.
func (m *Mailer) spool(msg Message) (string, error) {
	if err := os.MkdirAll(m.Spool, 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(m.Spool, time.Now().UTC().Format("20060102T150405")+"-*.eml")
	if err != nil {
		return "", err
	}
	if _, err := f.WriteString(header(m.From, msg) + msg.Body); err != nil {
		f.Close()
		return "", err
	}
	return f.Name(), f.Close()
}

func (m *Mailer) send(ctx context.Context, msg Message) error {
	u, err := url.Parse(m.URL)
	if err != nil {
		return err
	}
	host := u.Hostname()
	port := u.Port()
	if port == "" {
		port = map[string]string{"smtps": "465"}[u.Scheme]
		if port == "" {
			port = "587"
		}
	}
	addr := net.JoinHostPort(host, port)
	d := net.Dialer{Timeout: 10 * time.Second}
	var conn net.Conn
	if u.Scheme == "smtps" {
		conn, err = tls.DialWithDialer(&d, "tcp", addr, &tls.Config{ServerName: host})
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok && u.Scheme == "smtp" {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return fmt.Errorf("smtp: %w", err)
		}
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		if err := c.Auth(smtp.PlainAuth("", u.User.Username(), pw, host)); err != nil {
			return fmt.Errorf("smtp: %w", err)
		}
	}
	if err := c.Mail(m.From); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if err := c.Rcpt(msg.To); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if _, err := w.Write([]byte(header(m.From, msg) + msg.Body)); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	return c.Quit()
}
