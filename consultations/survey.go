package consultations

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ratusz/ratusz"
)

// Question types.
const (
	Single   = "single"   // one of the options
	Multiple = "multiple" // between MinChoices and MaxChoices of the options
	Text     = "text"     // a short text (one line)
	LongText = "longtext" // a long text
	Scale    = "scale"    // a whole number from Min to Max
	Ranking  = "ranking"  // every option, in the order of preference
	Matrix   = "matrix"   // for each of Rows, one of the options
)

// QuestionTypes lists the types in the order forms offer them.
var QuestionTypes = []string{Single, Multiple, Text, LongText, Scale, Ranking, Matrix}

// Condition shows a question only when an earlier question's answer is (or,
// for multiple choice, includes) Equals.
type Condition struct {
	Question string `json:"question"`
	Equals   string `json:"equals"`
}

// Question is one question of a consultation's survey.
type Question struct {
	ID         string     `json:"id"`
	Type       string     `json:"type"`
	Text       string     `json:"text"`
	Options    []string   `json:"options,omitempty"`
	Rows       []string   `json:"rows,omitempty"` // matrix
	Required   bool       `json:"required"`
	MinChoices int        `json:"min_choices,omitempty"` // multiple
	MaxChoices int        `json:"max_choices,omitempty"` // multiple; 0: any number
	Min        int        `json:"min,omitempty"`         // scale
	Max        int        `json:"max,omitempty"`         // scale
	ShowIf     *Condition `json:"show_if,omitempty"`
}

// Choice reports whether answers are chosen from options.
func (q *Question) Choice() bool {
	return q.Type == Single || q.Type == Multiple || q.Type == Ranking || q.Type == Matrix
}

// IsText reports whether the answer is free text (moderated before shown).
func (q *Question) IsText() bool { return q.Type == Text || q.Type == LongText }

// ScaleValues are a scale's values, Min to Max.
func (q *Question) ScaleValues() []int {
	var out []int
	for v := q.Min; v <= q.Max && q.Type == Scale; v++ {
		out = append(out, v)
	}
	return out
}

// Labels are the categories its results are counted in: options, or a
// scale's values.
func (q *Question) Labels() []string {
	if q.Type == Scale {
		var out []string
		for _, v := range q.ScaleValues() {
			out = append(out, strconv.Itoa(v))
		}
		return out
	}
	return q.Options
}

const (
	maxQuestions   = 100
	maxOptions     = 50
	maxOptionLen   = 200
	maxQuestionLen = 1000
	maxShortText   = 300
	maxLongText    = 5000
)

var questionID = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// validateQuestions checks a survey; an error's field names the question
// (its id, or questions[i] when it has none usable).
func validateQuestions(qs []Question) error {
	if len(qs) > maxQuestions {
		return ratusz.Invalid("questions", "err.consult.too_many", maxQuestions)
	}
	seen := map[string]*Question{}
	for i := range qs {
		q := &qs[i]
		q.ID = strings.TrimSpace(q.ID)
		if q.ID == "" {
			q.ID = fmt.Sprintf("q%d", i+1)
		}
		field := q.ID
		if !questionID.MatchString(q.ID) {
			return ratusz.Invalid(fmt.Sprintf("questions[%d]", i), "err.consult.question_id")
		}
		if seen[q.ID] != nil {
			return ratusz.Invalid(field, "err.consult.question_duplicate", q.ID)
		}
		if !slices.Contains(QuestionTypes, q.Type) {
			return ratusz.Invalid(field, "err.consult.question_type")
		}
		q.Text = strings.TrimSpace(q.Text)
		if q.Text == "" {
			return ratusz.Invalid(field, "err.consult.question_text")
		}
		if utf8.RuneCountInString(q.Text) > maxQuestionLen {
			return ratusz.Invalid(field, "err.too_long", maxQuestionLen)
		}
		clean := func(list []string) ([]string, error) {
			var out []string
			for _, o := range list {
				o = strings.TrimSpace(o)
				if o == "" {
					continue
				}
				if utf8.RuneCountInString(o) > maxOptionLen {
					return nil, ratusz.Invalid(field, "err.too_long", maxOptionLen)
				}
				if slices.Contains(out, o) {
					return nil, ratusz.Invalid(field, "err.consult.option_duplicate", o)
				}
				out = append(out, o)
			}
			if len(out) > maxOptions {
				return nil, ratusz.Invalid(field, "err.consult.too_many", maxOptions)
			}
			return out, nil
		}
		var err error
		if q.Options, err = clean(q.Options); err != nil {
			return err
		}
		if q.Rows, err = clean(q.Rows); err != nil {
			return err
		}
		switch q.Type {
		case Single, Multiple, Ranking, Matrix:
			if len(q.Options) < 2 {
				return ratusz.Invalid(field, "err.consult.options_needed")
			}
		default:
			q.Options = nil
		}
		if q.Type != Matrix {
			q.Rows = nil
		} else if len(q.Rows) < 1 {
			return ratusz.Invalid(field, "err.consult.rows_needed")
		}
		if q.Type == Multiple {
			if q.MinChoices < 0 || q.MaxChoices < 0 || q.MinChoices > len(q.Options) || q.MaxChoices > len(q.Options) ||
				(q.MaxChoices > 0 && q.MinChoices > q.MaxChoices) {
				return ratusz.Invalid(field, "err.consult.choices_range", len(q.Options))
			}
		} else {
			q.MinChoices, q.MaxChoices = 0, 0
		}
		if q.Type == Scale {
			if q.Min == 0 && q.Max == 0 {
				q.Min, q.Max = 1, 5
			}
			if q.Min >= q.Max || q.Max-q.Min > 10 || q.Min < -10 || q.Max > 100 {
				return ratusz.Invalid(field, "err.consult.scale_range")
			}
		} else {
			q.Min, q.Max = 0, 0
		}
		if c := q.ShowIf; c != nil {
			c.Question, c.Equals = strings.TrimSpace(c.Question), strings.TrimSpace(c.Equals)
			if c.Question == "" && c.Equals == "" {
				q.ShowIf = nil
			} else {
				earlier := seen[c.Question]
				if earlier == nil {
					return ratusz.Invalid(field, "err.consult.condition_earlier")
				}
				if (earlier.Type != Single && earlier.Type != Multiple && earlier.Type != Scale) || !slices.Contains(earlier.Labels(), c.Equals) {
					return ratusz.Invalid(field, "err.consult.condition_value")
				}
			}
		}
		seen[q.ID] = q
	}
	return nil
}

// Answers are a response's answers by question id: a string (single, text,
// long text), a list of strings (multiple; ranking in order of preference),
// a whole number (scale) or, for a matrix, row → option.
type Answers map[string]any

// shown reports whether q is shown given the answers so far.
func shown(q *Question, a Answers) bool {
	if q.ShowIf == nil {
		return true
	}
	switch v := a[q.ShowIf.Question].(type) {
	case string:
		return v == q.ShowIf.Equals
	case []string:
		return slices.Contains(v, q.ShowIf.Equals)
	case int:
		return strconv.Itoa(v) == q.ShowIf.Equals
	}
	return false
}

// Shown reports whether the question is shown given the answers.
func (q *Question) Shown(a Answers) bool { return shown(q, a) }

// validateAnswers checks raw answers (decoded from JSON or built from a
// form) against the survey and returns them normalized. An error's field is
// the question's id. Answers to questions hidden by their condition are
// dropped.
func validateAnswers(qs []Question, raw map[string]any) (Answers, error) {
	for id := range raw {
		if !slices.ContainsFunc(qs, func(q Question) bool { return q.ID == id }) {
			return nil, ratusz.Invalid(id, "err.consult.unknown_question", id)
		}
	}
	// Every question is checked: a respondent sees all that is wrong at once.
	out := Answers{}
	var errs ratusz.Invalids
	for i := range qs {
		q := &qs[i]
		v, given := raw[q.ID]
		if given && isEmpty(v) {
			given = false
		}
		if !shown(q, out) {
			continue
		}
		if !given {
			if q.Required {
				errs = append(errs, ratusz.Invalid(q.ID, "err.consult.answer_required"))
			}
			continue
		}
		a, err := answer(q, v)
		if e, ok := err.(*ratusz.Error); ok {
			errs = append(errs, e)
			continue
		} else if err != nil {
			return nil, err
		}
		out[q.ID] = a
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	case []string:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	case map[string]string:
		return len(x) == 0
	}
	return false
}

func strs(v any) ([]string, bool) {
	switch x := v.(type) {
	case []string:
		return x, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	case string:
		return []string{x}, true
	}
	return nil, false
}

func answer(q *Question, v any) (any, error) {
	bad := func(key string, args ...any) (any, error) { return nil, ratusz.Invalid(q.ID, key, args...) }
	switch q.Type {
	case Single:
		s, ok := v.(string)
		if !ok || !slices.Contains(q.Options, s) {
			return bad("err.consult.option_not_offered")
		}
		return s, nil
	case Multiple:
		list, ok := strs(v)
		if !ok {
			return bad("err.consult.answer_type")
		}
		var out []string
		for _, s := range list {
			if !slices.Contains(q.Options, s) {
				return bad("err.consult.option_not_offered")
			}
			if slices.Contains(out, s) {
				return bad("err.consult.option_twice")
			}
			out = append(out, s)
		}
		if q.MaxChoices > 0 && len(out) > q.MaxChoices {
			return bad("err.consult.too_many_choices", q.MaxChoices)
		}
		if len(out) < q.MinChoices {
			return bad("err.consult.too_few_choices", q.MinChoices)
		}
		return out, nil
	case Text, LongText:
		s, ok := v.(string)
		if !ok {
			return bad("err.consult.answer_type")
		}
		s = strings.TrimSpace(s)
		max := maxShortText
		if q.Type == LongText {
			max = maxLongText
		}
		if !utf8.ValidString(s) {
			return bad("err.consult.answer_type")
		}
		if utf8.RuneCountInString(s) > max {
			return bad("err.too_long", max)
		}
		return s, nil
	case Scale:
		var n float64
		switch x := v.(type) {
		case float64:
			n = x
		case int:
			n = float64(x)
		case json.Number:
			f, err := x.Float64()
			if err != nil {
				return bad("err.consult.scale_value", q.Min, q.Max)
			}
			n = f
		case string:
			f, err := strconv.Atoi(strings.TrimSpace(x))
			if err != nil {
				return bad("err.consult.scale_value", q.Min, q.Max)
			}
			n = float64(f)
		default:
			return bad("err.consult.scale_value", q.Min, q.Max)
		}
		if n != math.Trunc(n) || n < float64(q.Min) || n > float64(q.Max) {
			return bad("err.consult.scale_value", q.Min, q.Max)
		}
		return int(n), nil
	case Ranking:
		list, ok := strs(v)
		if !ok {
			return bad("err.consult.answer_type")
		}
		var out []string
		for _, s := range list {
			if !slices.Contains(q.Options, s) {
				return bad("err.consult.option_not_offered")
			}
			if slices.Contains(out, s) {
				return bad("err.consult.option_twice")
			}
			out = append(out, s)
		}
		if len(out) != len(q.Options) {
			return bad("err.consult.rank_all")
		}
		return out, nil
	case Matrix:
		m := map[string]string{}
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				s, ok := e.(string)
				if !ok {
					return bad("err.consult.answer_type")
				}
				if s != "" {
					m[k] = s
				}
			}
		case map[string]string:
			for k, s := range x {
				if s != "" {
					m[k] = s
				}
			}
		default:
			return bad("err.consult.answer_type")
		}
		for row, s := range m {
			if !slices.Contains(q.Rows, row) || !slices.Contains(q.Options, s) {
				return bad("err.consult.option_not_offered")
			}
		}
		if q.Required && len(m) != len(q.Rows) {
			return bad("err.consult.matrix_all")
		}
		return m, nil
	}
	return bad("err.consult.answer_type")
}

// decodeAnswers reads stored answers back into their Go types.
func decodeAnswers(qs []Question, b []byte) (Answers, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	out := Answers{}
	for _, q := range qs {
		r, ok := raw[q.ID]
		if !ok {
			continue
		}
		var err error
		switch q.Type {
		case Single, Text, LongText:
			var s string
			err = json.Unmarshal(r, &s)
			out[q.ID] = s
		case Multiple, Ranking:
			var s []string
			err = json.Unmarshal(r, &s)
			out[q.ID] = s
		case Scale:
			var n int
			err = json.Unmarshal(r, &n)
			out[q.ID] = n
		case Matrix:
			var m map[string]string
			err = json.Unmarshal(r, &m)
			out[q.ID] = m
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
