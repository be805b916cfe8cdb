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
	// The sitting: who speaks (first) and who waits, in order; what
	// happened, in order; and the last vote closed, to be read out.
	Speakers   []*Speech
	Timeline   []*TimelineEntry
	LastClosed *Vote
}

// Speaking is the speech in progress, if any.
func (v *SessionView) Speaking() *Speech {
	if len(v.Speakers) > 0 && v.Speakers[0].State == "speaking" {
		return v.Speakers[0]
	}
	return nil
}

// Waiting is the speakers list without the one speaking.
func (v *SessionView) Waiting() []*Speech {
	if v.Speaking() != nil {
		return v.Speakers[1:]
	}
	return v.Speakers
}

// NotTaken lists the items still on the agenda that the sitting never took
// up: never the current item and never voted on. The chair sees them
// before closing the sitting.
func (v *SessionView) NotTaken() []*AgendaItem {
	taken := map[int64]bool{}
	for _, e := range v.Timeline {
		if e.Kind == "item" && e.AgendaItemID != nil {
			taken[*e.AgendaItemID] = true
		}
	}
	for _, x := range v.Votes {
		taken[x.AgendaItemID] = true
	}
	var out []*AgendaItem
	for _, it := range v.Agenda {
		if it.RemovedByVoteID == nil && !taken[it.ID] {
			out = append(out, it)
		}
	}
	return out
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
		switch {
		case x.State == "open":
			v.Open = x
		case x.State == "closed" && (v.LastClosed == nil || x.ClosedAt != nil && v.LastClosed.ClosedAt != nil && x.ClosedAt.After(*v.LastClosed.ClosedAt)):
			v.LastClosed = x
		}
	}
	if v.LastClosed != nil { // with its named list, to be shown
		if v.LastClosed, err = loadVote(ctx, s.pool, v.LastClosed.ID, false); err != nil {
			return nil, err
		}
	}
	if v.Speakers, err = s.Speakers(ctx, id); err != nil {
		return nil, err
	}
	if v.Timeline, err = s.Timeline(ctx, id); err != nil {
		return nil, err
	}
	return v, nil
}
