package search

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ratusz/ratusz"
)

// Params names a query's parameters.
type Params struct {
	Q, Type, Category, Body, Term, Status, From, To, Sort, Councillor string
}

// APIParams are the parameters' names on the page, in its Atom feed, in
// saved searches and in the API alike.
var APIParams = Params{"q", "type", "category", "body", "term", "status", "from", "to", "sort", "councillor"}

// Aliases are the page's former, Polish names, still read so that old
// links and saved searches work.
var Aliases = map[string]string{"typ": "type", "kategoria": "category", "organ": "body", "kadencja": "term", "od": "from", "do": "to", "sortuj": "sort", "radny": "councillor"}

// Canonical is v with the Polish aliases under their names (a name given
// both ways keeps the name's value).
func Canonical(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if name, ok := Aliases[k]; ok {
			if _, both := v[name]; both {
				continue
			}
			k = name
		}
		out[k] = vs
	}
	return out
}

// ParseQuery reads a query from URL parameters (their aliases too); a bad
// one is an error naming the parameter.
func ParseQuery(v url.Values, n Params) (Query, error) {
	v = Canonical(v)
	q := Query{
		Q:        strings.TrimSpace(v.Get(n.Q)),
		Category: v.Get(n.Category),
		Body:     v.Get(n.Body),
		Term:     v.Get(n.Term),
		Status:   v.Get(n.Status),

		Councillor: strings.TrimSpace(v.Get(n.Councillor)),
	}
	if len([]rune(q.Q)) > 200 {
		return q, ratusz.Invalid(n.Q, "err.search.query_long", 200)
	}
	for _, t := range v[n.Type] {
		for _, t := range strings.Split(t, ",") {
			if t == "" {
				continue
			}
			if !slices.Contains(Types, t) {
				return q, ratusz.Invalid(n.Type, "err.search.type", strings.Join(Types, ", "))
			}
			q.Types = append(q.Types, t)
		}
	}
	var err error
	for _, d := range []struct {
		name string
		t    *time.Time
	}{{n.From, &q.From}, {n.To, &q.To}} {
		if s := v.Get(d.name); s != "" {
			if *d.t, err = time.Parse("2006-01-02", s); err != nil {
				return q, ratusz.Invalid(d.name, "err.search.date")
			}
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return q, ratusz.Invalid(n.To, "err.search.date_order")
	}
	switch s := v.Get(n.Sort); s {
	case "", "relevance", "trafnosc":
	case "date", "data":
		q.Sort = "date"
	default:
		return q, ratusz.Invalid(n.Sort, "err.search.sort")
	}
	return q, nil
}
