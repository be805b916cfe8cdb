package ratusz

import (
	"net/mail"
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

// Email reads an e-mail address a person typed: trimmed, required unless
// optional is set, a bare address (jan@example.pl, not "Jan <jan@…>") of
// at most 254 characters, with the error naming the field.
func Email(field, v string, optional bool) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		if optional {
			return "", nil
		}
		return "", Invalid(field, "err.required")
	}
	if a, err := mail.ParseAddress(v); err != nil || a.Address != v || len(v) > 254 {
		return "", Invalid(field, "err.email_invalid")
	}
	return v, nil
}
