package ratusz

import (
	"strings"
	"unicode/utf8"
)

// Text is how every module reads a line of text a person typed: trimmed,
// required unless optional is set, and at most max characters, with the
// error naming the field.
func Text(field, v string, max int, optional bool) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" && !optional {
		return "", Invalid(field, "err.required")
	}
	if utf8.RuneCountInString(v) > max {
		return "", Invalid(field, "err.too_long", max)
	}
	return v, nil
}
