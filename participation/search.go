package participation

// SearchProjects selects what search indexes of the participatory budget:
// every project submitted, with its status.
// Its columns are what search reads of every source: id, title, body, url,
// date, category, body_name, term, status, numbers, n (a session's number).
const SearchProjects = `SELECT p.id, p.title, concat_ws(' ', e.name, d.name, p.place, p.description), '/budzet-obywatelski/projekty/' || p.id, p.created_at,
			p.category, '', e.name, p.status, '{}'::text[], 0
		FROM pb_projects p
		JOIN pb_editions e ON e.id = p.edition_id
		JOIN pb_districts d ON d.id = p.district_id`
