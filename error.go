// Package ratusz holds the domain-wide types shared by every module: coded
// errors, the acting user carried in the context, and events. It imports only
// the standard library.
package ratusz

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. Each maps to one HTTP status in package web.
const (
	EINVALID      = "invalid"      // bad input: 400
	EUNAUTHORIZED = "unauthorized" // no or bad credentials: 401
	EFORBIDDEN    = "forbidden"    // authenticated, not allowed: 403
	ENOTFOUND     = "not_found"    // 404
	ECONFLICT     = "conflict"     // 409
	ETOOMANY      = "too_many"     // throttled: 429
	ETOOLARGE     = "too_large"    // body or upload too large: 413
	EINTERNAL     = "internal"     // anything else: 500, logged, never shown
)

// Error is an error meant for people. Message is a key of the message
// catalogue (internal/i18n), translated with Args into the reader's language;
// Field names the input that was wrong (for EINVALID); Code classifies it.
type Error struct {
	Code    string
	Message string
	Args    []any
	Field   string
}

func (e *Error) Error() string {
	msg := e.Message
	if len(e.Args) > 0 {
		msg += fmt.Sprint(e.Args)
	}
	if e.Field != "" {
		return fmt.Sprintf("ratusz error: code=%s field=%s message=%s", e.Code, e.Field, msg)
	}
	return fmt.Sprintf("ratusz error: code=%s message=%s", e.Code, msg)
}

// Errorf returns a coded error with a message key and its arguments.
func Errorf(code, key string, args ...any) *Error {
	return &Error{Code: code, Message: key, Args: args}
}

// Invalid returns an EINVALID error naming the field at fault.
func Invalid(field, key string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: key, Args: args}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message key and arguments of the first *Error in
// err's chain, or the internal-error key, so that nothing internal leaks out.
func ErrorMessage(err error) (key string, args []any) {
	var e *Error
	if err == nil {
		return "", nil
	} else if errors.As(err, &e) {
		return e.Message, e.Args
	}
	return "err.internal", nil
}

// ErrorField returns the field named by the first *Error in err's chain.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// HasField reports whether err names field, alone or among several.
func HasField(err error, field string) bool {
	var all Invalids
	if errors.As(err, &all) {
		for _, e := range all {
			if e.Field == field {
				return true
			}
		}
		return false
	}
	return ErrorField(err) == field && field != ""
}

// Invalids are several inputs wrong at once, in the order of the form: a
// page shows each beside its field, and the first is what ErrorCode,
// ErrorField and ErrorMessage report.
type Invalids []*Error

func (es Invalids) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap gives the errors one by one, for errors.As and errors.Is.
func (es Invalids) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
