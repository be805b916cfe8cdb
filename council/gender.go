package council

import (
	"context"
	"strings"
	"unicode"

	"github.com/ratusz/ratusz"
)

// Grammatical gender of a person: "f", "m", or "" when not known.
const (
	Female = "f"
	Male   = "m"
)

// Men's first names that end in -a, and women's that do not: the
// exceptions to the Polish rule.
var (
	menInA       = map[string]bool{"kuba": true, "barnaba": true, "kosma": true, "bonawentura": true, "jarema": true, "boryna": true, "sasza": true, "nikita": true, "ilja": true, "luca": true, "andrea": true, "jona": true, "juda": true, "mustafa": true}
	womenNotInA  = map[string]bool{"beatrycze": true, "noemi": true, "miriam": true, "ruth": true, "rut": true, "abigail": true, "karmen": true, "inez": true, "nel": true, "dolores": true, "ingrid": true}
	unsureEnding = map[string]bool{"e": true, "u": true}
)

// GuessGender reads a Polish full name's first name and says its gender
// where it is sure: a first name ending in -a is a woman's, any other a
// man's (Jan, Jerzy, Antoni, Iwo), but for the known exceptions; endings
// Polish names do not have (-e, -u: a foreign name) and initials are not
// guessed.
func GuessGender(name string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(name), " ")
	first = strings.ToLower(strings.TrimRight(first, "."))
	if len([]rune(first)) < 3 {
		return ""
	}
	switch {
	case menInA[first]:
		return Male
	case womenNotInA[first]:
		return Female
	}
	r := []rune(first)
	last := r[len(r)-1]
	switch {
	case last == 'a':
		return Female
	case unsureEnding[string(last)] || !unicode.IsLetter(last):
		return ""
	}
	return Male
}

// SetGender sets a councillor's grammatical gender ("f", "m" or "").
func (s *Service) SetGender(ctx context.Context, councillorID int64, gender string) error {
	if err := MayManage(ctx); err != nil {
		return err
	}
	if gender != "" && gender != Female && gender != Male {
		return ratusz.Invalid("gender", "err.council.gender")
	}
	tag, err := s.pool.Exec(ctx, "UPDATE councillors SET gender = $2 WHERE id = $1", councillorID, gender)
	if err == nil && tag.RowsAffected() == 0 {
		return ratusz.Errorf(ratusz.ENOTFOUND, "err.council.councillor_not_found")
	}
	return err
}
