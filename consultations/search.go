package consultations

// SearchSQL selects what search indexes of consultations: every one
// announced (drafts are not found).
// Its columns are what search reads of every source: id, title, body, url,
// date, category, body_name, term, status, numbers, n (a session's number).
const SearchSQL = `SELECT c.id, c.title, concat_ws(' ', c.organiser, c.description), '/konsultacje/' || c.id, c.starts_at,
			'konsultacje', '', '', c.state, '{}'::text[], 0
		FROM consultations c WHERE c.state <> 'draft'`
