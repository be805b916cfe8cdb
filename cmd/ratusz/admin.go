package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/council"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/internal/config"
	"github.com/ratusz/ratusz/internal/demo"
)

func seed(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	fs := newFlags("seed")
	isDemo := fs.Bool("demo", false, "fill the database with a demo municipality")
	benchBIP := fs.Int("bench-bip", 0, "add this many synthetic BIP publications, for benchmarks")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*isDemo && *benchBIP <= 0 {
		return fmt.Errorf("seed: give --demo or --bench-bip N")
	}
	return withDB(ctx, cfg, log, func(db *database) error {
		if *isDemo {
			secret, err := checkSecret(ctx, db.Pool, cfg)
			if err != nil {
				return err
			}
			if _, err := demo.SeedWith(ctx, db.Pool, secret, os.Stdout); err != nil {
				return err
			}
		}
		if *benchBIP > 0 {
			first, err := demo.BulkBIP(ctx, db.Pool, *benchBIP)
			if err != nil {
				return err
			}
			fmt.Printf("Added %d synthetic publications, ids %d to %d.\n", *benchBIP, first, first+int64(*benchBIP)-1)
		}
		return nil
	})
}

func userCmd(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("usage: ratusz user add --email E --name N --role R[,R…] [--password P]")
	}
	fs := newFlags("user add")
	email := fs.String("email", "", "e-mail address (the login)")
	name := fs.String("name", "", "full name")
	roles := fs.String("role", "", "roles, comma-separated: admin, secretary, chair, councillor, consultation_officer, pb_officer, resident")
	password := fs.String("password", "", "password (generated and printed if empty)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	pw, generated := *password, false
	if pw == "" {
		b := make([]byte, 12)
		rand.Read(b)
		pw, generated = base64.RawURLEncoding.EncodeToString(b), true
	}
	return withDB(ctx, cfg, log, func(db *database) error {
		ctx := ratusz.NewContextWithActor(ctx, ratusz.System)
		u, err := account.NewService(db.Pool).CreateUser(ctx, account.UserInput{Email: *email, Name: *name, Roles: splitRoles(*roles), Password: pw})
		if err != nil {
			return err
		}
		fmt.Printf("Created account %d: %s <%s>, roles %v\n", u.ID, u.Name, u.EmailString(), u.Roles)
		if generated {
			fmt.Printf("Password (shown once): %s\n", pw)
		}
		return nil
	})
}

func tokenCmd(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("usage: ratusz token create --email E [--name N]")
	}
	fs := newFlags("token create")
	email := fs.String("email", "", "the account's e-mail address")
	name := fs.String("name", "cli", "a name to recognise the token by")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return fmt.Errorf("token create: --email is required")
	}
	return withDB(ctx, cfg, log, func(db *database) error {
		ctx := ratusz.NewContextWithActor(ctx, ratusz.System)
		tok, err := account.NewService(db.Pool).CreateToken(ctx, *email, *name)
		if err != nil {
			return err
		}
		fmt.Println(tok)
		return nil
	})
}

// bipCmd runs `ratusz bip verify`: it exits non-zero, naming the first
// broken entry, when the log no longer matches the stored versions.
func bipCmd(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return fmt.Errorf("usage: ratusz bip verify [--head SEQ:HASH]…")
	}
	fs := newFlags("bip verify")
	var heads []bip.Head
	fs.Func("head", "a head recorded earlier (SEQ:HASH, as the daily head publication gives it) that the log must still hold; repeatable", func(v string) error {
		h, err := bip.ParseHead(v)
		if err == nil {
			heads = append(heads, h)
		}
		return err
	})
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	return withDB(ctx, cfg, log, func(db *database) error {
		s := bip.NewService(db.Pool)
		defer s.Close()
		head, err := s.Verify(ctx, heads...)
		if err != nil {
			return err
		}
		if head.Seq == 0 {
			fmt.Println("BIP log is empty.")
			return nil
		}
		fmt.Printf("BIP log verified: %d entries, head %s (keep it; check later with --head)\n", head.Seq, head)
		return nil
	})
}

// importCmd runs `ratusz import radoskop FILE`.
func importCmd(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	if len(args) == 0 || (args[0] != "radoskop" && args[0] != "radoskop-interpellations") {
		return fmt.Errorf("usage: ratusz import radoskop FILE [--body NAME] [--seats N]\n       ratusz import radoskop-interpellations FILE --body NAME")
	}
	fs := newFlags("import radoskop")
	body := fs.String("body", "", "the council's name, e.g. \"Rada Miasta Katowice\" (default: from the term's label)")
	seats := fs.Int("seats", 0, "statutory number of seats (default: the largest attendance in the file)")
	// Flags may stand before or after the file.
	var files []string
	for rest := args[1:]; ; {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(files) != 1 {
		return fmt.Errorf("usage: ratusz import radoskop FILE [--body NAME] [--seats N]")
	}
	f, err := os.Open(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	if args[0] == "radoskop-interpellations" {
		return withDB(ctx, cfg, log, func(db *database) error {
			sys := ratusz.NewContextWithActor(ctx, ratusz.System)
			s := council.NewService(db.Pool)
			bodies, err := s.Bodies(sys)
			if err != nil {
				return err
			}
			var id int64
			for _, b := range bodies {
				if b.Name == *body || (*body == "" && len(bodies) == 1) {
					id = b.ID
				}
			}
			if id == 0 {
				return fmt.Errorf("import radoskop-interpellations: --body must name an existing body (import the term first)")
			}
			n, err := s.ImportRadoskopInterpellations(sys, f, id)
			if err != nil {
				return err
			}
			fmt.Printf("Imported %d interpellations.\n", n)
			return nil
		})
	}
	return withDB(ctx, cfg, log, func(db *database) error {
		rep, err := council.NewService(db.Pool).ImportRadoskop(ratusz.NewContextWithActor(ctx, ratusz.System), f, *body, *seats)
		if err != nil {
			return err
		}
		fmt.Printf("Imported %d councillors, %d sessions, %d agenda items, %d votes with %d named ballots (body %d).\n",
			rep.Councillors, rep.Sessions, rep.Items, rep.Votes, rep.Ballots, rep.BodyID)
		return nil
	})
}
