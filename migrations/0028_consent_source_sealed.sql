-- What staff or an API caller write as the source of a consent event ("phone call with Ms X on
-- Tuesday") can name the person: it is kept encrypted under the person's key, like the event's IP
-- and browser, so an erasure leaves only the fact. consent_events.source keeps the product's own
-- wording (a form's URL, "campaign:<id>", "one-click unsubscribe (RFC 8058)"), and the free text
-- of events recorded before this migration: the ledger is append-only, so those stay as written.
ALTER TABLE consent_events ADD COLUMN source_enc text;
COMMENT ON COLUMN consent_events.source IS 'Where the event came from, in the product''s own words (no free text since migration 0028; see source_enc)';
COMMENT ON COLUMN consent_events.source_enc IS 'Free-text source written by staff or an API caller, encrypted under the person''s key';
