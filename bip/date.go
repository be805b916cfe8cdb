package bip

import (
	"time"

	"github.com/ratusz/ratusz/internal/i18n"
)

// Warsaw is the time zone of every date Ratusz publishes.
var Warsaw = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// PolishDate writes a day as in an official letter: "10 grudnia 2026 r.".
func PolishDate(t time.Time) string { return i18n.LongDate(i18n.PL, t.In(Warsaw)) }
