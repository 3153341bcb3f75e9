-- An email address belongs to at most one contact of a workspace, and the database says so.
--
-- The application checks before it inserts (POST /contacts answers 409, an import counts a
-- duplicate), but two transactions can check at the same moment: on PostgreSQL 20 parallel
-- creations with one address gave 4 contacts, two parallel imports of one file doubled it.
-- The writers now lock the addresses they are about to check (pg_advisory_xact_lock, see
-- src/crm/addresses.ts), and this index is the rule itself: whatever writes contacts (the app,
-- a sync, a restore), a second holder of an address is a unique violation.
--
-- Leads are not covered: a lead is an inquiry, and one person may send several.

-- The person_terms triggers swallowed every conflict (a bare ON CONFLICT DO NOTHING also hides a
-- violation of this index); they now name the primary key, the only conflict that is harmless.
CREATE OR REPLACE FUNCTION contact_terms_sync() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  workspace uuid;
  ids uuid[];
BEGIN
  IF TG_OP = 'DELETE' THEN
    FOR workspace, ids IN SELECT o.tenant_id, array_agg(o.id) FROM old_rows o GROUP BY o.tenant_id LOOP
      DELETE FROM person_terms WHERE tenant_id = workspace AND person_type = 'contact' AND person_id = ANY (ids);
    END LOOP;
  ELSE
    INSERT INTO person_terms (tenant_id, term, person_type, person_id)
    SELECT n.tenant_id, t.term, 'contact', n.id
      FROM new_rows n,
           LATERAL (SELECT 'email:' || e FROM unnest(n.email_index) e UNION SELECT 'name:' || x FROM unnest(n.name_index) x) t (term)
    ON CONFLICT (tenant_id, term, person_type, person_id) DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION contact_terms_resync() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM person_terms WHERE tenant_id = OLD.tenant_id AND person_type = 'contact' AND person_id = OLD.id;
  INSERT INTO person_terms (tenant_id, term, person_type, person_id)
  SELECT NEW.tenant_id, t.term, 'contact', NEW.id FROM (SELECT 'email:' || e FROM unnest(NEW.email_index) e UNION SELECT 'name:' || x FROM unnest(NEW.name_index) x) t (term)
  ON CONFLICT (tenant_id, term, person_type, person_id) DO NOTHING;
  RETURN NULL;
END
$$;

-- Contacts that already share an address (created by such a race, or by a sync before this
-- version) must be merged by a person, not by a migration: stop with a message that says so.
-- Counted per workspace because row-level security is forced on the table's owner too.
DO $$
DECLARE
  t uuid;
  found bigint;
  shared bigint := 0;
BEGIN
  FOR t IN SELECT id FROM tenants LOOP
    PERFORM set_config('app.tenant_id', t::text, true);
    SELECT count(*) INTO found FROM (
      SELECT 1 FROM person_terms WHERE tenant_id = t AND person_type = 'contact' AND term LIKE 'email:%'
       GROUP BY term HAVING count(*) > 1
    ) s;
    shared := shared + found;
  END LOOP;
  PERFORM set_config('app.tenant_id', '', true);
  IF shared > 0 THEN
    RAISE EXCEPTION '% email addresses are held by more than one contact of a workspace', shared
      USING HINT = 'Merge or edit those contacts with the previous version (README, "Upgrading to one contact per address"), then start again.';
  END IF;
END
$$;

CREATE UNIQUE INDEX person_terms_one_contact_per_address ON person_terms (tenant_id, term)
  WHERE person_type = 'contact' AND term LIKE 'email:%';
