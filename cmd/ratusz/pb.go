package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ratusz/ratusz/participation/pabulib"
)

const pbUsage = "usage: ratusz pb tally [--rule RULE] FILE.pb"

// pbCmd runs `ratusz pb tally [--rule RULE] FILE.pb`: it reads a pabulib
// file and writes the ids of the funded projects, one a line, in the order
// the rule funded them. It needs no database.
func pbCmd(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "tally" {
		return fmt.Errorf("%s", pbUsage)
	}
	fs := newFlags("pb tally")
	rule := fs.String("rule", "", "tally rule (default: the one the file's META declares): "+strings.Join(pabulib.Rules(), ", "))
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
		return fmt.Errorf("%s", pbUsage)
	}
	f, err := os.Open(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	in, err := pabulib.Parse(f)
	if err != nil {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ids, err := pabulib.Tally(in, *rule)
	if err != nil {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	w := bufio.NewWriter(stdout)
	for _, id := range ids {
		fmt.Fprintln(w, id)
	}
	return w.Flush()
}
