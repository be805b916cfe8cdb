package ratusz

import (
	"context"
	"slices"
)

// Role is what an account may do. An account holds any number of roles.
type Role string

const (
	RoleAdmin               Role = "admin"
	RoleSecretary           Role = "secretary"
	RoleChair               Role = "chair"
	RoleCouncillor          Role = "councillor"
	RoleConsultationOfficer Role = "consultation_officer"
	RolePBOfficer           Role = "pb_officer"
	RoleResident            Role = "resident"
)

// Roles lists every role in the order the interface shows them.
var Roles = []Role{RoleAdmin, RoleSecretary, RoleChair, RoleCouncillor, RoleConsultationOfficer, RolePBOfficer, RoleResident}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Actor is who performs an action: a signed-in account or an API token's
// owner. The zero Actor is anonymous.
type Actor struct {
	UserID   int64
	Email    string
	Name     string
	Roles    []Role
	Verified bool // a resident verified by the OpenID provider's claim
}

// Anonymous reports whether no one is signed in.
func (a Actor) Anonymous() bool { return a.UserID == 0 }

// Has reports whether the actor holds any of the roles. Admins hold every role.
func (a Actor) Has(roles ...Role) bool {
	for _, r := range a.Roles {
		if r == RoleAdmin || slices.Contains(roles, r) {
			return true
		}
	}
	return false
}

// Holds reports whether the account itself holds the role, an admin's
// holding every role aside: for rights that are a person's own, such as a
// resident's ballot.
func (a Actor) Holds(role Role) bool { return slices.Contains(a.Roles, role) }

// Require returns EUNAUTHORIZED for anonymous actors and EFORBIDDEN for actors
// holding none of the roles. Services call it before they do anything.
func (a Actor) Require(roles ...Role) error {
	if a.Anonymous() {
		return Errorf(EUNAUTHORIZED, "err.sign_in_required")
	}
	if len(roles) > 0 && !a.Has(roles...) {
		return Errorf(EFORBIDDEN, "err.forbidden")
	}
	return nil
}

type actorKey struct{}

// NewContextWithActor returns a context carrying the actor.
func NewContextWithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor in the context, anonymous if none.
func ActorFromContext(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// System is the actor of command-line administration (`ratusz user add`,
// `seed`): it holds every right and is no account.
var System = Actor{UserID: -1, Name: "system", Roles: []Role{RoleAdmin}}
