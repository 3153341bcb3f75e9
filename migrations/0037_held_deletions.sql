-- A snapshot connector (a CSV drop folder) learns of deletions by absence: a row no longer in
-- its file was deleted there. A missing, unreadable or truncated export therefore looked like
-- the deletion of everything it no longer lists. A run now holds back the deletions of an object
-- whose export is missing, or lists fewer than (1 - LAWFUL_SYNC_MAX_SHRINK) of the records it
-- linked (default: lost more than 20 %), and records why here for review; a sync requested with
-- allow_mass_deletion applies them.
ALTER TABLE sync_runs
  ADD COLUMN held_deletions      jsonb NOT NULL DEFAULT '[]',   -- [{object, linked, unseen, reason}]
  ADD COLUMN allow_mass_deletion boolean NOT NULL DEFAULT false;
