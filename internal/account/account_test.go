package account_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

var sys = ratusz.NewContextWithActor(context.Background(), ratusz.System)

func newUser(t *testing.T, s *account.Service, email string, roles ...ratusz.Role) *account.User {
	t.Helper()
	u, err := s.CreateUser(sys, account.UserInput{Email: email, Name: "Anna Nowak", Roles: roles, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	s := account.NewService(testdb.New(t))
	t.Run("OK", func(t *testing.T) {
		u := newUser(t, s, "anna@example.pl", ratusz.RoleSecretary)
		if u.ID == 0 || !u.HasRole(ratusz.RoleSecretary) || !u.HasPassword {
			t.Fatalf("user: %+v", u)
		}
	})
	t.Run("ErrConflictAnyCase", func(t *testing.T) {
		_, err := s.CreateUser(sys, account.UserInput{Email: "ANNA@example.pl", Name: "X", Password: "0123456789"})
		if ratusz.ErrorCode(err) != ratusz.ECONFLICT || ratusz.ErrorField(err) != "email" {
			t.Fatalf("err = %v", err)
		}
	})
	for name, in := range map[string]account.UserInput{
		"email":    {Email: "not-an-email", Name: "X", Password: "0123456789"},
		"name":     {Email: "b@example.pl", Name: "  ", Password: "0123456789"},
		"roles":    {Email: "b@example.pl", Name: "X", Password: "0123456789", Roles: []ratusz.Role{"mayor"}},
		"password": {Email: "b@example.pl", Name: "X", Password: "short"},
	} {
		t.Run("ErrInvalid_"+name, func(t *testing.T) {
			_, err := s.CreateUser(sys, in)
			if ratusz.ErrorCode(err) != ratusz.EINVALID || ratusz.ErrorField(err) != name {
				t.Fatalf("err = %v, want invalid %s", err, name)
			}
		})
	}
	t.Run("ErrForbidden", func(t *testing.T) {
		sec := ratusz.NewContextWithActor(context.Background(), ratusz.Actor{UserID: 99, Roles: []ratusz.Role{ratusz.RoleSecretary}})
		_, err := s.CreateUser(sec, account.UserInput{Email: "c@example.pl", Name: "C", Password: "0123456789"})
		if ratusz.ErrorCode(err) != ratusz.EFORBIDDEN {
			t.Fatalf("err = %v", err)
		}
		_, err = s.CreateUser(context.Background(), account.UserInput{Email: "c@example.pl", Name: "C", Password: "0123456789"})
		if ratusz.ErrorCode(err) != ratusz.EUNAUTHORIZED {
			t.Fatalf("anonymous err = %v", err)
		}
		if _, total, _ := s.FindUsers(sys, account.UserFilter{Query: "c@example.pl"}); total != 0 {
			t.Fatal("a refused create stored an account")
		}
	})
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	s := account.NewService(testdb.New(t))
	u := newUser(t, s, "jan@example.pl", ratusz.RoleAdmin)
	t.Run("OK", func(t *testing.T) {
		got, err := s.Authenticate(context.Background(), "JAN@example.pl", "correct horse battery", "10.0.0.1")
		if err != nil || got.ID != u.ID {
			t.Fatalf("got %v, %v", got, err)
		}
	})
	t.Run("ErrWrongPassword", func(t *testing.T) {
		_, err := s.Authenticate(context.Background(), "jan@example.pl", "wrong", "10.0.0.2")
		if ratusz.ErrorCode(err) != ratusz.EUNAUTHORIZED {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrThrottledPerAccount", func(t *testing.T) {
		for i := 0; i < account.MaxFailuresAccount; i++ {
			s.Authenticate(context.Background(), "jan@example.pl", "wrong", "10.0.1.1")
		}
		_, err := s.Authenticate(context.Background(), "jan@example.pl", "correct horse battery", "10.0.9.9")
		if ratusz.ErrorCode(err) != ratusz.ETOOMANY {
			t.Fatalf("right password after %d failures: err = %v, want throttled", account.MaxFailuresAccount, err)
		}
	})
	t.Run("ErrThrottledPerAddress", func(t *testing.T) {
		newUser(t, s, "ewa@example.pl")
		for i := 0; i < account.MaxFailuresAddr; i++ {
			s.Authenticate(context.Background(), "nobody@example.pl", "wrong", "10.0.2.2")
		}
		_, err := s.Authenticate(context.Background(), "ewa@example.pl", "correct horse battery", "10.0.2.2")
		if ratusz.ErrorCode(err) != ratusz.ETOOMANY {
			t.Fatalf("err = %v, want throttled", err)
		}
		if _, err := s.Authenticate(context.Background(), "ewa@example.pl", "correct horse battery", "10.0.2.3"); err != nil {
			t.Fatalf("another address must still get in: %v", err)
		}
	})
}

func TestSessionsAndTokens(t *testing.T) {
	t.Parallel()
	s := account.NewService(testdb.New(t))
	u := newUser(t, s, "ola@example.pl", ratusz.RoleSecretary)
	ctx := context.Background()

	sid, err := s.CreateSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.SessionUser(ctx, sid); err != nil || got.ID != u.ID {
		t.Fatalf("session user: %v %v", got, err)
	}
	if _, err := s.SessionUser(ctx, sid+"x"); ratusz.ErrorCode(err) != ratusz.EUNAUTHORIZED {
		t.Fatalf("forged session: %v", err)
	}
	tok, err := s.CreateToken(sys, "ola@example.pl", "test")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.TokenUser(ctx, tok); err != nil || got.ID != u.ID {
		t.Fatalf("token user: %v %v", got, err)
	}

	// Disabling the account ends its sessions and its tokens stop working.
	in := account.UserInput{Name: u.Name, Roles: u.Roles, Disabled: true}
	if _, err := s.UpdateUser(sys, u.ID, in); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionUser(ctx, sid); ratusz.ErrorCode(err) != ratusz.EUNAUTHORIZED {
		t.Fatalf("session of disabled account: %v", err)
	}
	if _, err := s.TokenUser(ctx, tok); ratusz.ErrorCode(err) != ratusz.EUNAUTHORIZED {
		t.Fatalf("token of disabled account: %v", err)
	}
	if err := s.DeleteSession(ctx, sid); err != nil {
		t.Fatal(err)
	}
}

func TestUpdateUserSelfLockout(t *testing.T) {
	t.Parallel()
	s := account.NewService(testdb.New(t))
	admin := newUser(t, s, "admin@example.pl", ratusz.RoleAdmin)
	ctx := ratusz.NewContextWithActor(context.Background(), admin.Actor())
	_, err := s.UpdateUser(ctx, admin.ID, account.UserInput{Name: "Admin", Roles: []ratusz.Role{ratusz.RoleSecretary}})
	if ratusz.ErrorCode(err) != ratusz.EINVALID {
		t.Fatalf("admin removed own admin role: %v", err)
	}
	got, _ := s.FindUserByID(ctx, admin.ID)
	if !got.HasRole(ratusz.RoleAdmin) {
		t.Fatal("refused change was written")
	}
}

func TestSignInResident(t *testing.T) {
	t.Parallel()
	s := account.NewService(testdb.New(t))
	ctx := context.Background()
	a, err := s.SignInResident(ctx, account.Identity{Issuer: "https://id.example", Subject: "42", Name: "Kasia"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.SignInResident(ctx, account.Identity{Issuer: "https://id.example", Subject: "42", Name: "Katarzyna", Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID || b.Name != "Katarzyna" || !b.Verified || !b.HasRole(ratusz.RoleResident) {
		t.Fatalf("same identity, same account updated: %+v %+v", a, b)
	}
	c, _ := s.SignInResident(ctx, account.Identity{Issuer: "https://other.example", Subject: "42"})
	if c.ID == a.ID {
		t.Fatal("same subject at another issuer is another person")
	}
}

func TestPasswordHash(t *testing.T) {
	h := account.HashPassword("zażółć gęślą jaźń")
	if !account.CheckPassword(h, "zażółć gęślą jaźń") || account.CheckPassword(h, "zazolc gesla jazn") {
		t.Fatal("argon2id check")
	}
	if h == account.HashPassword("zażółć gęślą jaźń") {
		t.Fatal("salt not random")
	}
}

// Fifteen wrong passwords sent at once for one account were all checked
// against a limit of five; now exactly five are checked and the rest are
// refused unseen.
func TestThrottleHoldsInParallel(t *testing.T) {
	t.Parallel()
	s := account.NewService(testdb.New(t))
	newUser(t, s, "rafal@example.pl")
	codes := make(chan string, 15)
	for i := range 15 {
		go func() {
			_, err := s.Authenticate(context.Background(), "rafal@example.pl", "wrong", fmt.Sprintf("10.1.0.%d", i))
			codes <- ratusz.ErrorCode(err)
		}()
	}
	checked := 0
	for range 15 {
		switch c := <-codes; c {
		case ratusz.EUNAUTHORIZED:
			checked++
		case ratusz.ETOOMANY:
		default:
			t.Fatalf("unexpected %s", c)
		}
	}
	if checked != account.MaxFailuresAccount {
		t.Fatalf("%d passwords checked, want %d", checked, account.MaxFailuresAccount)
	}
}

// A password set by an admin ends the account's sessions and API tokens:
// whoever knew the old password is out at once.
func TestPasswordResetRevokesSessionsAndTokens(t *testing.T) {
	t.Parallel()
	s := account.NewService(testdb.New(t))
	sys := ratusz.NewContextWithActor(context.Background(), ratusz.System)
	admin := newUser(t, s, "admin@example.pl", ratusz.RoleAdmin)
	u := newUser(t, s, "ola@example.pl", ratusz.RoleSecretary)
	ctx := context.Background()
	sid, _ := s.CreateSession(ctx, u.ID)
	tok, err := s.CreateToken(sys, "ola@example.pl", "cli")
	if err != nil {
		t.Fatal(err)
	}
	as := ratusz.NewContextWithActor(ctx, admin.Actor())
	// A change of name alone keeps them.
	if _, err := s.UpdateUser(as, u.ID, account.UserInput{Name: "Ola K.", Roles: u.Roles}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionUser(ctx, sid); err != nil {
		t.Fatalf("a name change ended the session: %v", err)
	}
	if _, err := s.UpdateUser(as, u.ID, account.UserInput{Name: "Ola K.", Roles: u.Roles, Password: "a new long password"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionUser(ctx, sid); ratusz.ErrorCode(err) != ratusz.EUNAUTHORIZED {
		t.Fatalf("session after reset: %v", err)
	}
	if _, err := s.TokenUser(ctx, tok); ratusz.ErrorCode(err) != ratusz.EUNAUTHORIZED {
		t.Fatalf("token after reset: %v", err)
	}
}
