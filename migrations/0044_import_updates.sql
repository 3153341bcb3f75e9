-- An import may update the records its rows match instead of skipping them (on_duplicate):
-- 'update' writes the file's non-empty values over the record, 'fill-empty' only fills its
-- blanks. The run counts the records it updated (among its duplicates) beside those it created.
ALTER TABLE import_runs
  ADD COLUMN on_duplicate text NOT NULL DEFAULT 'skip' CHECK (on_duplicate IN ('skip', 'update', 'fill-empty')),
  ADD COLUMN updated integer NOT NULL DEFAULT 0;
