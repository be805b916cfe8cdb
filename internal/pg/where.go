package pg

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Where builds the WHERE clause of a filtered listing from the filters
// actually given, numbering their placeholders. A single statement with
// "$1 = 0 OR col = $1" for every optional filter gets a cached generic plan
// that cannot use the indexes; spelling out only what is set, and planning
// the page query with its actual values, lets PostgreSQL use them.
type Where struct {
	conds []string
	args  []any
}

// Add adds a condition; each "?" in it takes the next of args, in order.
func (w *Where) Add(cond string, args ...any) {
	for _, a := range args {
		w.args = append(w.args, a)
		cond = strings.Replace(cond, "?", fmt.Sprintf("$%d", len(w.args)), 1)
	}
	w.conds = append(w.conds, cond)
}

// SQL is " WHERE a AND b", or "" when no filter was given.
func (w *Where) SQL() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// Args are the values of the conditions, for a count.
func (w *Where) Args() []any { return w.args }

// Page returns " OFFSET $n LIMIT $m" and the arguments of the page query,
// asking pgx to plan it with the actual values each time.
func (w *Where) Page(offset, limit int) (string, []any) {
	n := len(w.args)
	args := append([]any{pgx.QueryExecModeExec}, w.args...)
	return fmt.Sprintf(" OFFSET $%d LIMIT $%d", n+1, n+2), append(args, offset, limit)
}
