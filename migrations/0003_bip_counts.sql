-- Listings show how many publications a category holds; counting thousands
-- of rows on every page view is what this table saves. Statement-level
-- triggers keep it right for every way rows arrive, bulk loads included.

CREATE TABLE bip_category_counts (
    category_id bigint PRIMARY KEY REFERENCES bip_categories (id),
    n           bigint NOT NULL
);

INSERT INTO bip_category_counts (category_id, n)
SELECT category_id, count(*) FROM bip_publications GROUP BY category_id;

CREATE FUNCTION bip_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO bip_category_counts (category_id, n)
    SELECT category_id, count(*) FROM new_rows GROUP BY category_id
    ON CONFLICT (category_id) DO UPDATE SET n = bip_category_counts.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE FUNCTION bip_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH moved AS (
        SELECT o.category_id AS old_id, n.category_id AS new_id
        FROM old_rows o JOIN new_rows n USING (id) WHERE o.category_id <> n.category_id
    ), delta AS (
        SELECT old_id AS category_id, -count(*) AS d FROM moved GROUP BY old_id
        UNION ALL
        SELECT new_id, count(*) FROM moved GROUP BY new_id
    )
    INSERT INTO bip_category_counts (category_id, n)
    SELECT category_id, sum(d) FROM delta GROUP BY category_id
    ON CONFLICT (category_id) DO UPDATE SET n = bip_category_counts.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE TRIGGER bip_publications_count_insert AFTER INSERT ON bip_publications
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bip_count_insert();
CREATE TRIGGER bip_publications_count_update AFTER UPDATE ON bip_publications
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bip_count_update();

-- Newest first across all of BIP.
CREATE INDEX bip_publications_published_idx ON bip_publications (published_at DESC, id DESC);
