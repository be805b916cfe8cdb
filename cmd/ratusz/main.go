// Command ratusz is the one binary of Ratusz: the server and its
// administration commands (migrate, seed, users, search, BIP verification,
// budget imports). It is the composition root: serve.go builds the
// modules' services, the search engine, the mailer and the live hub, runs
// the goroutines behind them and hands web what it serves. Nothing imports
// it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/config"
	"github.com/ratusz/ratusz/internal/i18n"
)

const usage = `Usage: ratusz <command> [flags]

Commands:
  serve                         run the web server (embedded PostgreSQL unless DATABASE_URL is set)
  migrate                       apply database migrations
  seed --demo                   fill the database with a demo municipality
  seed --bench-bip N            add N synthetic BIP publications (for benchmarks)
  user add --email E --name N --role R[,R…] [--password P]
                                create a staff account (a password is generated if none is given)
  token create --email E [--name N]
                                print a new API token for the account (only its hash is stored)
  bip verify [--head SEQ:HASH]…
                                recompute the BIP hash log and check heads kept earlier; name the first broken entry
  import radoskop FILE [--body NAME] [--seats N]
                                import a council term published in the Radoskop JSON format
  import radoskop-interpellations FILE --body NAME
                                import published interpellations into a body
  search reindex                rebuild the search index from PostgreSQL (search sync: send only changes)
  pb tally [--rule RULE] FILE.pb
                                print the projects a participatory-budget rule funds (no database)
  pb import FILE.pb             import a pabulib file as a finished edition, results published
  pb export --edition N --pool M
                                write a pool's anonymised ballots as a pabulib file

Configuration comes from environment variables; see README.md.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "ratusz:", describe(err))
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	cmd, rest := args[0], args[1:]
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Print(usage)
		return nil
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg)
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		return withDB(ctx, cfg, log, func(db *database) error { return nil }) // withDB migrates
	case "seed":
		return seed(ctx, cfg, log, rest)
	case "user":
		return userCmd(ctx, cfg, log, rest)
	case "token":
		return tokenCmd(ctx, cfg, log, rest)
	case "bip":
		return bipCmd(ctx, cfg, log, rest)
	case "import":
		return importCmd(ctx, cfg, log, rest)
	case "search":
		return searchCmd(ctx, cfg, log, rest)
	case "pb":
		if len(rest) > 0 && (rest[0] == "import" || rest[0] == "export") {
			return pbData(ctx, cfg, log, rest)
		}
		return pbCmd(ctx, rest, os.Stdout)
	}
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
}

func newLogger(cfg *config.Config) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// describe renders an error for the terminal, translating coded errors.
func describe(err error) string {
	if code := ratusz.ErrorCode(err); code != ratusz.EINTERNAL {
		key, args := ratusz.ErrorMessage(err)
		msg := i18n.T(i18n.EN, key, args...)
		if f := ratusz.ErrorField(err); f != "" {
			msg = f + ": " + msg
		}
		return msg
	}
	return err.Error()
}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	return fs
}

func splitRoles(s string) []ratusz.Role {
	var roles []ratusz.Role
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" {
			roles = append(roles, ratusz.Role(r))
		}
	}
	return roles
}
