package notify

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/i18n"
)

// A resident signed in through login.gov.pl has no e-mail on the account.
// They give an address, confirm it with the code mailed to it, and then
// follow by e-mail; the notice goes to that address.
func TestEmailContactForAccountWithoutAddress(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var uid int64
	if err := f.pool.QueryRow(ctx, "INSERT INTO users (name, roles) VALUES ('Ewa z węzła', '{resident}') RETURNING id").Scan(&uid); err != nil {
		t.Fatal(err)
	}
	ewa := ratusz.NewContextWithActor(ctx, ratusz.Actor{UserID: uid, Roles: []ratusz.Role{ratusz.RoleResident}})
	byEmail := FollowInput{Target: Target{TargetCouncillor, 7}, Delivery: "immediate", Channel: "email"}

	if _, err := f.s.Follow(ewa, byEmail, i18n.PL); !ratusz.HasField(err, "channel") {
		t.Fatalf("following by e-mail with no address: %v", err)
	}
	if _, err := f.s.SetEmail(ewa, "ewa@", i18n.PL); !ratusz.HasField(err, "email") {
		t.Fatalf("a bad address: %v", err)
	}
	if f.sent() != 0 {
		t.Fatal("a code went to a bad address")
	}
	c, err := f.s.SetEmail(ewa, " ewa@example.org ", i18n.PL)
	if err != nil || c.Email != "ewa@example.org" || c.EmailVerifiedAt != nil {
		t.Fatalf("set: %+v %v", c, err)
	}
	if _, err := f.s.Follow(ewa, byEmail, i18n.PL); !ratusz.HasField(err, "channel") {
		t.Fatalf("following by e-mail before the address is confirmed: %v", err)
	}
	if f.sent() != 1 || f.box.got[0].To != "ewa@example.org" {
		t.Fatalf("the code was not mailed: %+v", f.box.got)
	}
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(f.box.got[0].Body)
	if code == "" || !strings.Contains(f.box.got[0].Subject, "kod potwierdzenia") {
		t.Fatalf("no code in %q", f.box.got[0].Body)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if _, err := f.s.VerifyEmail(ewa, wrong); !ratusz.HasField(err, "email_code") {
		t.Fatalf("a wrong code: %v", err)
	}
	// A phone's code does not confirm the address, nor the other way.
	smsDir := t.TempDir()
	if f.s.SMS, err = NewSMS("spool:", smsDir); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetPhone(ewa, "600 100 200", i18n.PL); err != nil {
		t.Fatal(err)
	}
	smsCode := regexp.MustCompile(`\b\d{6}\b`).FindString(readDir(t, smsDir))
	if smsCode == "" || smsCode == code {
		t.Skip("the two codes happen to be equal") // one in a million
	}
	if _, err := f.s.VerifyPhone(ewa, code); !ratusz.HasField(err, "code") {
		t.Fatalf("the e-mail's code taken for the phone: %v", err)
	}
	if _, err := f.s.VerifyEmail(ewa, smsCode); !ratusz.HasField(err, "email_code") {
		t.Fatalf("the phone's code taken for the e-mail: %v", err)
	}
	if c, err := f.s.VerifyEmail(ewa, code); err != nil || c.EmailVerifiedAt == nil {
		t.Fatalf("verify: %+v %v", c, err)
	}
	if _, err := f.s.Follow(ewa, byEmail, i18n.PL); err != nil {
		t.Fatalf("following by e-mail once confirmed: %v", err)
	}
	f.vote(t, 3)
	for i := 0; i < 3 && f.sent() < 2; i++ {
		if err := f.s.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if f.sent() != 2 || f.box.got[1].To != "ewa@example.org" || !strings.Contains(f.box.got[1].Body, "głosowanie 3") {
		t.Fatalf("the notice did not reach the confirmed address: %+v", f.box.got)
	}

	// A new address, mistyped and never confirmed: notices keep going to
	// the confirmed one.
	if c, err := f.s.SetEmail(ewa, "ewa@exmaple.org", i18n.PL); err != nil || c.EmailTo != "ewa@example.org" || c.Email != "ewa@exmaple.org" || c.EmailVerifiedAt != nil {
		t.Fatalf("a second address: %+v %v", c, err)
	}
	if _, err := f.s.Follow(ewa, FollowInput{Target: Target{TargetCouncillor, 7}, Delivery: "daily", Channel: "email"}, i18n.PL); ratusz.ErrorCode(err) != ratusz.ECONFLICT {
		t.Fatalf("the follow by e-mail lost its address: %v", err)
	}
	f.vote(t, 4)
	for i := 0; i < 3 && f.sent() < 4; i++ {
		if err := f.s.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	last := f.box.got[len(f.box.got)-1]
	if last.To != "ewa@example.org" || !strings.Contains(last.Body, "głosowanie 4") {
		t.Fatalf("while the new address waits, the notice went to %s: %s", last.To, last.Body)
	}
	// Typing the confirmed address again drops the waiting code.
	if c, err := f.s.SetEmail(ewa, "ewa@example.org", i18n.PL); err != nil || c.Email != "ewa@example.org" || c.EmailVerifiedAt == nil {
		t.Fatalf("back to the confirmed address: %+v %v", c, err)
	}
}

// readDir is the text of every file in dir.
func readDir(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}
