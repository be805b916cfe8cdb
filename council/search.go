package council

// What search indexes of e-Rada, by the council's own rules: a resolution
// later voided is marked so, an agenda item taken off by a vote is not
// found, an item already voted on is found through its votes, a vote
// replaced by a re-vote is marked superseded, and only closed votes are
// found.
// Its columns are what search reads of every source: id, title, body, url,
// date, category, body_name, term, status, numbers, n (a session's number).
// NamedListMark begins the councillors a document is of, at the end of its
// searchable text: a vote's named list, each "Name: choice", separated by
// "; "; an interpellation's author.
const NamedListMark = "Imiennie:"

const (
	SearchResolutions = `SELECT r.id, 'Uchwała nr ' || r.number || ' ' || r.title, coalesce(v.resolution_text, ''),
			coalesce('/bip/publikacje/' || r.publication_id, '/rada/sesje/' || r.session_id), r.adopted_at,
			'uchwaly', b.name, coalesce(t.name, ''), CASE WHEN r.voided_by_vote_id IS NOT NULL THEN 'voided' ELSE '' END, ARRAY[r.number], 0
		FROM resolutions r
		JOIN council_bodies b ON b.id = r.body_id
		JOIN council_sessions s ON s.id = r.session_id
		LEFT JOIN council_terms t ON t.id = s.term_id
		LEFT JOIN votes v ON v.id = r.vote_id`
	SearchSessions = `SELECT s.id, s.title, s.place, '/rada/sesje/' || s.id, s.starts_at, 'sesje', b.name, coalesce(t.name, ''), s.state, '{}'::text[], s.number
		FROM council_sessions s
		JOIN council_bodies b ON b.id = s.body_id
		LEFT JOIN council_terms t ON t.id = s.term_id`
	SearchAgendaItems = `SELECT a.id, a.label || '. ' || a.title, array_to_string(a.papers, ' '), '/rada/sesje/' || a.session_id, s.starts_at,
			'sesje', b.name, coalesce(t.name, ''), '', a.papers, 0
		FROM agenda_items a
		JOIN council_sessions s ON s.id = a.session_id
		JOIN council_bodies b ON b.id = s.body_id
		LEFT JOIN council_terms t ON t.id = s.term_id
		WHERE a.removed_by_vote_id IS NULL
			-- an item voted on is found through its votes, which link the named lists
			AND NOT EXISTS (SELECT 1 FROM votes v WHERE v.agenda_item_id = a.id AND v.state = 'closed')`
	SearchVotes = `SELECT v.id, v.subject,
			concat_ws(' ', 'Głosowanie:', nullif(v.resolution_title, ''), 'za ' || v.count_for, 'przeciw ' || v.count_against, 'wstrzymało się ' || v.count_abstain,
				CASE v.outcome WHEN 'adopted' THEN 'przyjęto' WHEN 'rejected' THEN 'odrzucono' END, array_to_string(a.papers, ' '),
				-- the named list, so that "krawczyk budżet" finds how she voted
				'` + NamedListMark + ` ' || (SELECT string_agg(c.name || ': ' || CASE bl.choice WHEN 'for' THEN 'za' WHEN 'against' THEN 'przeciw'
					WHEN 'abstain' THEN CASE c.gender WHEN 'f' THEN 'wstrzymała się' WHEN 'm' THEN 'wstrzymał się' ELSE 'wstrzymał(a) się' END
					WHEN 'absent' THEN CASE c.gender WHEN 'f' THEN 'nieobecna' WHEN 'm' THEN 'nieobecny' ELSE 'nieobecny(a)' END
					ELSE CASE c.gender WHEN 'f' THEN 'nie głosowała' WHEN 'm' THEN 'nie głosował' ELSE 'nie głosował(a)' END END, '; ' ORDER BY c.name)
					FROM ballots bl JOIN councillors c ON c.id = bl.councillor_id WHERE bl.vote_id = v.id) || '.'),
			'/rada/glosowania/' || v.id, coalesce(v.closed_at, s.starts_at), 'glosowania', b.name, coalesce(t.name, ''),
			CASE WHEN ` + supersededBy + ` IS NOT NULL THEN 'superseded' ELSE coalesce(v.outcome, '') END, a.papers, 0
		FROM votes v
		JOIN agenda_items a ON a.id = v.agenda_item_id
		JOIN council_sessions s ON s.id = v.session_id
		JOIN council_bodies b ON b.id = s.body_id
		LEFT JOIN council_terms t ON t.id = s.term_id
		WHERE v.state = 'closed'`
	SearchInterpellations = `SELECT i.id, i.subject, concat_ws(' ', i.kind, i.number,
			-- "radnego Pronobisa" finds what he filed: the councillor with the word
			CASE (SELECT gender FROM councillors WHERE id = i.councillor_id) WHEN 'f' THEN 'radna' WHEN 'm' THEN 'radny' ELSE 'radny(a)' END,
			i.councillor_name, i.content, i.answer, '` + NamedListMark + ` ' || i.councillor_name),
			'/rada/interpelacje/' || i.id, i.filed_on::timestamptz, i.category, b.name, '',
			CASE WHEN i.answered_on IS NOT NULL THEN 'answered' ELSE 'awaiting' END,
			CASE WHEN i.number <> '' THEN ARRAY[i.number] ELSE '{}'::text[] END, 0
		FROM interpellations i
		JOIN council_bodies b ON b.id = i.body_id`
)
