package council

import "context"

// SessionView is what the session page, a councillor's device and the
// chair's console show of a session: the session with its body and term,
// the agenda with its files and the item in hand, the votes (the open one
// too), the members and who is present, and whether there is a quorum.
type SessionView struct {
	Session     *Session
	Body        *Body
	Agenda      []*AgendaItem
	Votes       []*Vote
	Councillors []*Councillor
	Present     map[int64]bool
	PresentN    int
	Quorum      bool
	Open        *Vote // the vote open now, if any
	Files       map[int64][]*AgendaFile
	Current     *AgendaItem // the item in hand, if any
	Term        *Term
}

// VotesOn returns the votes on an agenda item.
func (v *SessionView) VotesOn(item int64) []*Vote {
	var out []*Vote
	for _, x := range v.Votes {
		if x.AgendaItemID == item {
			out = append(out, x)
		}
	}
	return out
}

// SessionView reads a session's view.
func (s *Service) SessionView(ctx context.Context, id int64) (*SessionView, error) {
	var err error
	v := &SessionView{}
	if v.Session, err = s.SessionByID(ctx, id); err != nil {
		return nil, err
	}
	if v.Body, err = s.BodyByID(ctx, v.Session.BodyID); err != nil {
		return nil, err
	}
	if v.Agenda, err = s.Agenda(ctx, id); err != nil {
		return nil, err
	}
	if v.Files, err = s.AgendaFiles(ctx, id); err != nil {
		return nil, err
	}
	for _, it := range v.Agenda {
		if v.Session.CurrentItemID != nil && *v.Session.CurrentItemID == it.ID {
			v.Current = it
		}
	}
	if v.Session.TermID != nil {
		if v.Term, err = s.TermByID(ctx, *v.Session.TermID); err != nil {
			return nil, err
		}
	}
	if v.Votes, err = s.SessionVotes(ctx, id); err != nil {
		return nil, err
	}
	if v.Councillors, err = s.Councillors(ctx, v.Body.ID); err != nil {
		return nil, err
	}
	if v.Present, err = s.Attendance(ctx, id); err != nil {
		return nil, err
	}
	for _, p := range v.Present {
		if p {
			v.PresentN++
		}
	}
	v.Quorum = Quorum(v.PresentN, v.Body.StatutorySize)
	for _, x := range v.Votes {
		if x.State == "open" {
			v.Open = x
		}
	}
	return v, nil
}
