package bip

// SearchSQL selects what search indexes of BIP: the newest version of every
// publication not withdrawn (a withdrawal drops it at the next sync).
// Its columns are what search reads of every source: id, title, body, url,
// date, category, body_name, term, status, numbers, n (a session's number).
const SearchSQL = `SELECT p.id, v.title, v.body, '/bip/publikacje/' || p.id, p.published_at, c.slug, '', '', '', '{}'::text[], 0
		FROM bip_publications p
		JOIN bip_versions v ON v.publication_id = p.id AND v.version = p.version
		JOIN bip_categories c ON c.id = p.category_id
		WHERE NOT p.withdrawn`
