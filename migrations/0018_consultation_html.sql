-- A consultation's description is rendered from Markdown once, when it is
-- saved, instead of on every page view (an anonymous visitor could make a
-- crafted description cost seconds per view). Rows saved before this have
-- none (NULL) and are rendered on their first read.
ALTER TABLE consultations ADD COLUMN description_html text;
