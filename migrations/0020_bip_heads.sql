-- The log's head is published in BIP once a day (Stan rejestru zmian), so
-- that anyone can keep a copy and later check that the log still leads to
-- it: a log cut at its end is then seen by whoever kept a later head.
-- (Under "Dostęp do informacji publicznej", or at the top where a
-- municipality has removed that category.)
INSERT INTO bip_categories (parent_id, slug, name_pl, name_en, position)
VALUES ((SELECT id FROM bip_categories WHERE slug = 'dostep-do-informacji'), 'stan-rejestru', 'Stan rejestru zmian', 'State of the change register', 90)
ON CONFLICT (slug) DO NOTHING;
