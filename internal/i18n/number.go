package i18n

import (
	"strconv"
	"strings"
)

// Number writes f with prec decimals (-1: as many as it needs), with a
// decimal comma in Polish and a point in English.
func Number(lang Lang, f float64, prec int) string {
	s := strconv.FormatFloat(f, 'f', prec, 64)
	if lang != EN {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
