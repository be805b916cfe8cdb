package bip

import (
	"time"

	"github.com/ratusz/ratusz/internal/i18n"
)

// Warsaw is the time zone of every date Ratusz publishes.
var Warsaw = i18n.Warsaw

// PolishDate writes a day as in an official letter: "10 grudnia 2026 r.".
func PolishDate(t time.Time) string { return i18n.LongDate(i18n.PL, t.In(Warsaw)) }
