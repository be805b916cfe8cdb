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

// SearchAttachmentsSQL selects the files of every publication's newest
// version whose text was read (file_texts): the hit names the file and its
// publication, and leads to the publication.
const SearchAttachmentsSQL = `SELECT a.id, a.name || ' — ' || v.title, left(t.text, 200000), '/bip/publikacje/' || p.id, p.published_at, c.slug, '', '', '', '{}'::text[], 0
		FROM bip_publications p
		JOIN bip_versions v ON v.publication_id = p.id AND v.version = p.version
		JOIN bip_version_attachments va ON va.publication_id = p.id AND va.version = p.version
		JOIN bip_attachments a ON a.id = va.attachment_id
		JOIN bip_categories c ON c.id = p.category_id
		JOIN file_texts t ON t.sha256 = a.sha256 AND t.text <> ''
		WHERE NOT p.withdrawn`

// FilesWithoutText is the next attachment whose text has not been read
// (for internal/extract's worker).
const FilesWithoutText = `SELECT a.sha256, a.name, a.content_type, a.data FROM bip_attachments a
		WHERE NOT EXISTS (SELECT 1 FROM file_texts t WHERE t.sha256 = a.sha256) ORDER BY a.id LIMIT 1`
