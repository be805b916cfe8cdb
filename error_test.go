package ratusz_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ratusz/ratusz"
)

func TestErrorCode(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		err := fmt.Errorf("wrapped: %w", ratusz.Invalid("email", "err.required"))
		if got := ratusz.ErrorCode(err); got != ratusz.EINVALID {
			t.Fatalf("code = %q", got)
		}
		if got := ratusz.ErrorField(err); got != "email" {
			t.Fatalf("field = %q", got)
		}
		if got, _ := ratusz.ErrorMessage(err); got != "err.required" {
			t.Fatalf("message = %q", got)
		}
	})
	t.Run("ErrInternalHidden", func(t *testing.T) {
		err := errors.New("pq: password authentication failed for user secret")
		if got := ratusz.ErrorCode(err); got != ratusz.EINTERNAL {
			t.Fatalf("code = %q", got)
		}
		if got, _ := ratusz.ErrorMessage(err); got != "err.internal" {
			t.Fatalf("internal message leaked: %q", got)
		}
	})
}

func TestActorRequire(t *testing.T) {
	if err := (ratusz.Actor{}).Require(); ratusz.ErrorCode(err) != ratusz.EUNAUTHORIZED {
		t.Fatalf("anonymous: %v", err)
	}
	sec := ratusz.Actor{UserID: 1, Roles: []ratusz.Role{ratusz.RoleSecretary}}
	if err := sec.Require(ratusz.RoleAdmin); ratusz.ErrorCode(err) != ratusz.EFORBIDDEN {
		t.Fatalf("secretary as admin: %v", err)
	}
	if err := sec.Require(ratusz.RoleSecretary, ratusz.RoleChair); err != nil {
		t.Fatalf("secretary: %v", err)
	}
	admin := ratusz.Actor{UserID: 2, Roles: []ratusz.Role{ratusz.RoleAdmin}}
	if err := admin.Require(ratusz.RolePBOfficer); err != nil {
		t.Fatalf("admin holds every role: %v", err)
	}
}
