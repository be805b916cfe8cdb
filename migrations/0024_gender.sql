-- A person's grammatical gender, where it is known, so that pages say
-- "radna", "obecna", "nie głosowała" of a woman and "radny", "obecny", "nie
-- głosował" of a man, and fall back to "radny(-a)" only when it is not.
-- Set by the office; guessed from a Polish first name when adding or
-- importing a councillor, only where the name is sure.
ALTER TABLE councillors ADD COLUMN gender text NOT NULL DEFAULT '' CONSTRAINT councillors_gender_check CHECK (gender IN ('', 'f', 'm'));
