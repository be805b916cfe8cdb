// Package migrations embeds the forward-only SQL migrations, applied in file
// name order by `ratusz migrate` and at start.
package migrations

import "embed"

//go:embed *.sql
var FS embed.FS
