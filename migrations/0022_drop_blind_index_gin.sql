-- Index upkeep that served no reader, dropped for the bulk import's sake (#9).
--
-- The GIN indexes on the blind-index arrays: since 0019 every lookup by blind index goes through
-- person_terms, because under row-level security the array operators cannot use these indexes
-- (they are not LEAKPROOF). Nothing reads them, yet every contact and lead written updated them.
-- leads.email_index keeps its B-tree (plain equality, which row-level security does allow).
DROP INDEX contacts_email_idx;
DROP INDEX contacts_name_idx;
DROP INDEX leads_name_idx;

-- person_terms is derived from contacts and leads, which carry the foreign key to tenants
-- themselves; checking it again cost one lookup per term (1,500 per batch of 500 imported
-- contacts, about a sixth of the batch's INSERT).
ALTER TABLE person_terms DROP CONSTRAINT person_terms_tenant_id_fkey;
