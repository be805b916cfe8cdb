// Package demo fills a database with a believable Polish municipality for
// `ratusz seed --demo`, the browser tests and anyone trying Ratusz out.
package demo

import (
	"context"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/participation"
)

// Account is a demo account; its password is public (README) and meant only
// for trying Ratusz out.
type Account struct {
	Email, Name, Password string
	Role                  ratusz.Role
}

// Accounts holds one account for each role.
var Accounts = []Account{
	{"admin@przykladowo.pl", "Tomasz Wiśniewski", "demo-admin-2026", ratusz.RoleAdmin},
	{"biuro.rady@przykladowo.pl", "Joanna Kamińska", "demo-biuro-2026", ratusz.RoleSecretary},
	{"przewodniczacy@przykladowo.pl", "Marek Zieliński", "demo-przewodniczacy-2026", ratusz.RoleChair},
	{"radna.lewandowska@przykladowo.pl", "Katarzyna Lewandowska", "demo-radna-2026", ratusz.RoleCouncillor},
	{"konsultacje@przykladowo.pl", "Piotr Dąbrowski", "demo-konsultacje-2026", ratusz.RoleConsultationOfficer},
	{"bo@przykladowo.pl", "Magdalena Wójcik", "demo-bo-2026", ratusz.RolePBOfficer},
	{"jan.kowalski@example.pl", "Jan Kowalski", "demo-mieszkaniec-2026", ratusz.RoleResident},
}

// Seed fills the database unless it was seeded before, writing what it made
// to out. It returns false when there was nothing to do.
func Seed(ctx context.Context, pool *pgxpool.Pool, out io.Writer) (bool, error) {
	return SeedWith(ctx, pool, TestSecret, out)
}

// TestSecret is the server secret the tests' sites use with Seed.
var TestSecret = []byte("ratusz demo and test secret, 32+ bytes long")

// DemoBallotKey is the demo's 2027 budget ballot key, the one the
// commission would keep: the README gives it, so that the demo vote can be
// ended and counted.
var DemoBallotKey, demoBallotPublic = participation.DemoBallotKey("ratusz demo ballot key 2027")

// SeedWith fills the database with the demo municipality, using the
// server's secret for what it keys (paper voters).
func SeedWith(ctx context.Context, pool *pgxpool.Pool, secret []byte, out io.Writer) (bool, error) {
	ctx = ratusz.NewContextWithActor(ctx, ratusz.System)
	accounts := account.NewService(pool)
	if _, err := accounts.FindUserByEmail(ctx, Accounts[0].Email); err == nil {
		fmt.Fprintln(out, "Demo data already present; nothing to do.")
		return false, nil
	} else if ratusz.ErrorCode(err) != ratusz.ENOTFOUND {
		return false, err
	}
	fmt.Fprintln(out, "Demo accounts (demo passwords: never use them on a public server):")
	for _, a := range Accounts {
		if _, err := accounts.CreateUser(ctx, account.UserInput{Email: a.Email, Name: a.Name, Password: a.Password, Roles: []ratusz.Role{a.Role}}); err != nil {
			return false, fmt.Errorf("demo account %s: %w", a.Email, err)
		}
		fmt.Fprintf(out, "  %-22s %-34s %s\n", a.Role, a.Email, a.Password)
	}
	if err := seedBIP(ctx, pool); err != nil {
		return false, err
	}
	fmt.Fprintln(out, "Demo BIP publications published.")
	if err := seedCouncil(ctx, pool); err != nil {
		return false, fmt.Errorf("demo council: %w", err)
	}
	fmt.Fprintln(out, "Demo council: 15 councillors, session XI with three votes, session XII ready to run.")
	if err := seedConsultations(ctx, pool, out); err != nil {
		return false, fmt.Errorf("demo consultations: %w", err)
	}
	if err := seedParticipation(ctx, pool, secret, out); err != nil {
		return false, fmt.Errorf("demo participatory budget: %w", err)
	}
	return true, nil
}
