package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/internal/notify"
	"github.com/ratusz/ratusz/web/httpx"
)

// Follows and notices on the pages: the "Obserwuj" box on what can be
// followed, the person's own list with their phone for SMS, and the
// unsubscribe link of every message, which needs no sign-in.

func (s *Server) notifyPages(r chi.Router) {
	r.Post("/obserwuj", s.page(s.followForm))
	r.Get("/konto/powiadomienia", s.page(s.myFollows))
	r.Post("/konto/powiadomienia/{id}", s.page(s.changeFollow))
	r.Post("/konto/powiadomienia/{id}/usun", s.page(s.unfollowForm))
	r.Post("/konto/telefon", s.page(s.phoneForm))
	r.Post("/konto/telefon/kod", s.page(s.phoneCodeForm))
	r.Post("/konto/email", s.page(s.emailForm))
	r.Post("/konto/email/kod", s.page(s.emailCodeForm))
	r.Get("/powiadomienia/wypisz/{token}", s.page(s.noticeUnsubscribeForm))
	r.Post("/powiadomienia/wypisz/{token}", s.page(s.noticeUnsubscribe))
}

// followBox is the "Obserwuj" box of a page: a form to follow, what the
// person already follows there, or a way to sign in first.
type followBox struct {
	*Page
	Type    string
	ID      int64
	Name    string
	Follows []*notify.Follow
	SMS     bool
}

// DOMID is the box's id prefix, unique on a page with several boxes.
func (b *followBox) DOMID() string { return "follow-" + b.Type + "-" + strconv.FormatInt(b.ID, 10) }

// Missing lists the channels not yet chosen for this target.
func (b *followBox) Missing() []string {
	var out []string
	for _, c := range notify.Channels {
		if c == "sms" && !b.SMS {
			continue
		}
		has := false
		for _, f := range b.Follows {
			has = has || f.Channel == c
		}
		if !has {
			out = append(out, c)
		}
	}
	return out
}

// LoginURL signs in and comes back to this page.
func (b *followBox) LoginURL() string { return "/login?next=" + url.QueryEscape(b.Path) }

func (s *Server) followBox(r *http.Request, p *Page, typ string, id int64, name string) (*followBox, error) {
	b := &followBox{Page: p, Type: typ, ID: id, Name: name, SMS: s.Notify.SMSEnabled()}
	var err error
	b.Follows, err = s.Notify.FollowsOf(r.Context(), notify.Target{Type: typ, ID: id})
	return b, err
}

type myFollowsPage struct {
	Page
	List       []*notify.Follow
	Contact    *notify.Contact
	SMS        bool
	Phone      string // as typed, when the form is shown again
	CodeSentTo string
	Email      string // as typed, when the form is shown again
	EmailSent  string // the address a code went to, not yet confirmed
	Pending    *pendingFollow
}

// pendingFollow is a follow asked for before its channel had an address:
// carried through the address's forms and made once the code is typed.
type pendingFollow struct {
	notify.FollowInput
	Name string
}

// pendingOf reads a pending follow from a form or query (target_type,
// target_id, delivery, channel), or nil.
func (s *Server) pendingOf(r *http.Request, v url.Values) *pendingFollow {
	id, err := strconv.ParseInt(v.Get("target_id"), 10, 64)
	if err != nil || v.Get("target_type") == "" {
		return nil
	}
	p := &pendingFollow{FollowInput: notify.FollowInput{Target: notify.Target{Type: v.Get("target_type"), ID: id},
		Delivery: v.Get("delivery"), Channel: v.Get("channel")}}
	if p.Name, err = s.Notify.TargetName(r.Context(), p.Target); err != nil {
		return nil
	}
	return p
}

// Query is the pending follow as the address's forms carry it.
func (p *pendingFollow) Query() string {
	return url.Values{"target_type": {p.Target.Type}, "target_id": {strconv.FormatInt(p.Target.ID, 10)},
		"delivery": {p.Delivery}, "channel": {p.Channel}}.Encode()
}

// Fields are its hidden form fields.
func (p *pendingFollow) Fields() []hiddenPair {
	return []hiddenPair{{"target_type", p.Target.Type}, {"target_id", strconv.FormatInt(p.Target.ID, 10)},
		{"delivery", p.Delivery}, {"channel", p.Channel}}
}

func (*myFollowsPage) template() string { return "notify_follows" }

func (s *Server) myFollowsPage(r *http.Request, p *myFollowsPage) error {
	var err error
	if p.List, err = s.Notify.Follows(r.Context()); err != nil {
		return err
	}
	if p.Contact, err = s.Notify.Contact(r.Context()); err != nil {
		return err
	}
	if p.Contact != nil && p.Contact.Phone != "" && p.Contact.VerifiedAt == nil {
		p.CodeSentTo = p.Contact.Phone
	}
	if p.Contact != nil && p.Contact.Email != "" && p.Contact.EmailVerifiedAt == nil {
		p.EmailSent = p.Contact.Email
	}
	p.SMS = s.Notify.SMSEnabled()
	p.Title = "notify.follows.title"
	return nil
}

func (s *Server) myFollows(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return err
	}
	p := &myFollowsPage{Pending: s.pendingOf(r, r.URL.Query())}
	p.Lang = s.lang(r)
	if err := s.myFollowsPage(r, p); err != nil {
		return err
	}
	q := r.URL.Query()
	switch {
	case q.Get("dodano") != "" || q.Get("zmieniono") != "":
		for _, f := range p.List {
			switch strconv.FormatInt(f.ID, 10) {
			case q.Get("dodano"):
				p.Notice = p.T("notify.follows.added", f.Name)
			case q.Get("zmieniono"):
				p.Notice = p.T("notify.follows.changed", f.Name)
			}
		}
	case q.Get("usunieto") != "":
		id, _ := strconv.ParseInt(q.Get("id"), 10, 64)
		if name, err := s.Notify.TargetName(r.Context(), notify.Target{Type: q.Get("usunieto"), ID: id}); err == nil {
			p.Notice = p.T("notify.follows.removed", name)
		}
	case q.Get("potwierdzono") == "1":
		p.Notice = p.T("notify.phone.verified")
	case q.Get("potwierdzono") == "email":
		p.Notice = p.T("notify.email.verified")
	}
	s.render(w, r, http.StatusOK, p)
	return nil
}

// followForm starts a follow from a page's box and shows the person's
// list with it; a wrong choice shows the list with the message.
func (s *Server) followForm(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(); err != nil {
		return err
	}
	id, _ := strconv.ParseInt(r.PostForm.Get("target_id"), 10, 64)
	f, err := s.Notify.Follow(r.Context(), notify.FollowInput{
		Target:   notify.Target{Type: r.PostForm.Get("target_type"), ID: id},
		Delivery: r.PostForm.Get("delivery"), Channel: r.PostForm.Get("channel"),
	}, s.lang(r))
	if err != nil {
		again := &myFollowsPage{}
		if ratusz.HasField(err, "channel") {
			again.Pending = s.pendingOf(r, r.PostForm) // kept until the address is confirmed
		}
		return s.followsAgain(w, r, err, again)
	}
	http.Redirect(w, r, "/konto/powiadomienia?dodano="+strconv.FormatInt(f.ID, 10), http.StatusSeeOther)
	return nil
}

// followsAgain shows the person's list with what went wrong: field errors
// beside the fields, others at the top.
func (s *Server) followsAgain(w http.ResponseWriter, r *http.Request, err error, p *myFollowsPage) error {
	return s.showAgain(r, err, "follow", func(errs map[string]string) error {
		p.Lang = s.lang(r)
		if err := s.myFollowsPage(r, p); err != nil {
			return err
		}
		p.Errors = errs
		code := http.StatusBadRequest
		if ratusz.ErrorCode(err) == ratusz.ECONFLICT {
			code = http.StatusConflict
		}
		s.render(w, r, code, p)
		return nil
	})
}

func (s *Server) changeFollow(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Notify.SetDelivery(r.Context(), id, r.PostForm.Get("delivery")); err != nil {
		return s.followsAgain(w, r, err, &myFollowsPage{})
	}
	http.Redirect(w, r, "/konto/powiadomienia?zmieniono="+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

func (s *Server) unfollowForm(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	ended, err := s.Notify.Unfollow(r.Context(), id)
	if err != nil {
		return err
	}
	to := "/konto/powiadomienia?" + url.Values{"usunieto": {ended.Type}, "id": {strconv.FormatInt(ended.ID, 10)}}.Encode()
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (s *Server) phoneForm(w http.ResponseWriter, r *http.Request) error {
	pending := s.pendingOf(r, r.PostForm)
	if _, err := s.Notify.SetPhone(r.Context(), r.PostForm.Get("phone"), s.lang(r)); err != nil {
		return s.followsAgain(w, r, err, &myFollowsPage{Phone: r.PostForm.Get("phone"), Pending: pending})
	}
	http.Redirect(w, r, "/konto/powiadomienia"+pendingQuery(pending)+"#telefon", http.StatusSeeOther)
	return nil
}

func (s *Server) phoneCodeForm(w http.ResponseWriter, r *http.Request) error {
	pending := s.pendingOf(r, r.PostForm)
	if _, err := s.Notify.VerifyPhone(r.Context(), r.PostForm.Get("code")); err != nil {
		return s.followsAgain(w, r, err, &myFollowsPage{Pending: pending})
	}
	return s.confirmed(w, r, pending, "1", "telefon")
}

// confirmed ends a code form: the pending follow, if any, is made now.
func (s *Server) confirmed(w http.ResponseWriter, r *http.Request, pending *pendingFollow, what, anchor string) error {
	if pending != nil {
		f, err := s.Notify.Follow(r.Context(), pending.FollowInput, s.lang(r))
		if err == nil {
			http.Redirect(w, r, "/konto/powiadomienia?dodano="+strconv.FormatInt(f.ID, 10), http.StatusSeeOther)
			return nil
		}
		if ratusz.ErrorCode(err) != ratusz.ECONFLICT { // already followed so: nothing lost
			return s.followsAgain(w, r, err, &myFollowsPage{Pending: pending})
		}
	}
	http.Redirect(w, r, "/konto/powiadomienia?potwierdzono="+what+"#"+anchor, http.StatusSeeOther)
	return nil
}

// pendingQuery is the page's query that keeps a pending follow.
func pendingQuery(p *pendingFollow) string {
	if p == nil {
		return ""
	}
	return "?" + p.Query()
}

func (s *Server) emailForm(w http.ResponseWriter, r *http.Request) error {
	pending := s.pendingOf(r, r.PostForm)
	if _, err := s.Notify.SetEmail(r.Context(), r.PostForm.Get("email"), s.lang(r)); err != nil {
		return s.followsAgain(w, r, err, &myFollowsPage{Email: r.PostForm.Get("email"), Pending: pending})
	}
	http.Redirect(w, r, "/konto/powiadomienia"+pendingQuery(pending)+"#adres-email", http.StatusSeeOther)
	return nil
}

func (s *Server) emailCodeForm(w http.ResponseWriter, r *http.Request) error {
	pending := s.pendingOf(r, r.PostForm)
	if _, err := s.Notify.VerifyEmail(r.Context(), r.PostForm.Get("email_code")); err != nil {
		return s.followsAgain(w, r, err, &myFollowsPage{Pending: pending})
	}
	return s.confirmed(w, r, pending, "email", "adres-email")
}

type noticeUnsubscribePage struct {
	Page
	Token string
	U     *notify.Unsubscribed
	Done  bool
}

func (*noticeUnsubscribePage) template() string { return "notify_unsubscribe" }

func (s *Server) noticeUnsubscribeForm(w http.ResponseWriter, r *http.Request) error {
	tok := chi.URLParam(r, "token")
	u, err := s.Notify.ByToken(r.Context(), tok)
	if err != nil {
		return err
	}
	p := &noticeUnsubscribePage{Token: tok, U: u, Done: !u.Active}
	p.Title = "notify.unsubscribe.title"
	s.render(w, r, http.StatusOK, p)
	return nil
}

// noticeUnsubscribe ends the follows of the token's message: the page's
// button, and the one-click POST of mail programs (RFC 8058), which needs
// no sign-in.
func (s *Server) noticeUnsubscribe(w http.ResponseWriter, r *http.Request) error {
	tok := chi.URLParam(r, "token")
	u, err := s.Notify.Unsubscribe(r.Context(), tok)
	if err != nil {
		return err
	}
	p := &noticeUnsubscribePage{U: u, Done: true}
	p.Title = "notify.unsubscribe.title"
	s.render(w, r, http.StatusOK, p)
	return nil
}
