-- The person_terms triggers of 0019, made independent of the planner's statistics.
--
-- Both problems were found on PostgreSQL with the HubSpot sync test.
--
-- Updates: disconnecting an integration deletes its accounts, and each deleted account sets
-- contacts.account_id to null (ON DELETE SET NULL), one UPDATE per account. Each fired the
-- statement trigger, which joined old_rows to new_rows to find changed blind indexes; the
-- transition tables have no statistics, so that join was a nested loop (1,500 contacts: 2.25
-- million comparisons, 0.4 s per account) even when no blind index had changed. Updates are now
-- a row trigger whose WHEN clause is checked without calling any function: an update that leaves
-- both blind indexes alone costs nothing here.
--
-- Deletes: the purge then deletes contacts 500 at a time, and the DELETE joined old_rows to
-- person_terms as a nested loop over a materialised scan of every term of the workspace (44
-- million comparisons, 6.5 s per batch): the table had just been filled, its statistics said two
-- rows, and PGlite never refreshes them. Now the ids are gathered per workspace into an array
-- first, so the DELETE is an index lookup on (tenant_id, person_type, person_id) whatever the
-- statistics say. Inserts keep the statement trigger: one INSERT per batch, no join.

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
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION contact_terms_resync() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM person_terms WHERE tenant_id = OLD.tenant_id AND person_type = 'contact' AND person_id = OLD.id;
  INSERT INTO person_terms (tenant_id, term, person_type, person_id)
  SELECT NEW.tenant_id, t.term, 'contact', NEW.id FROM (SELECT 'email:' || e FROM unnest(NEW.email_index) e UNION SELECT 'name:' || x FROM unnest(NEW.name_index) x) t (term)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

DROP TRIGGER contacts_terms_update ON contacts;
CREATE TRIGGER contacts_terms_update AFTER UPDATE OF email_index, name_index ON contacts FOR EACH ROW
  WHEN (OLD.email_index IS DISTINCT FROM NEW.email_index OR OLD.name_index IS DISTINCT FROM NEW.name_index)
  EXECUTE FUNCTION contact_terms_resync();

CREATE OR REPLACE FUNCTION lead_terms_sync() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  workspace uuid;
  ids uuid[];
BEGIN
  IF TG_OP = 'DELETE' THEN
    FOR workspace, ids IN SELECT o.tenant_id, array_agg(o.id) FROM old_rows o GROUP BY o.tenant_id LOOP
      DELETE FROM person_terms WHERE tenant_id = workspace AND person_type = 'lead' AND person_id = ANY (ids);
    END LOOP;
  ELSE
    INSERT INTO person_terms (tenant_id, term, person_type, person_id)
    SELECT n.tenant_id, t.term, 'lead', n.id
      FROM new_rows n,
           LATERAL (SELECT 'email:' || n.email_index WHERE n.email_index IS NOT NULL UNION SELECT 'name:' || x FROM unnest(n.name_index) x) t (term)
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION lead_terms_resync() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM person_terms WHERE tenant_id = OLD.tenant_id AND person_type = 'lead' AND person_id = OLD.id;
  INSERT INTO person_terms (tenant_id, term, person_type, person_id)
  SELECT NEW.tenant_id, t.term, 'lead', NEW.id FROM (SELECT 'email:' || NEW.email_index WHERE NEW.email_index IS NOT NULL UNION SELECT 'name:' || x FROM unnest(NEW.name_index) x) t (term)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

DROP TRIGGER leads_terms_update ON leads;
CREATE TRIGGER leads_terms_update AFTER UPDATE OF email_index, name_index ON leads FOR EACH ROW
  WHEN (OLD.email_index IS DISTINCT FROM NEW.email_index OR OLD.name_index IS DISTINCT FROM NEW.name_index)
  EXECUTE FUNCTION lead_terms_resync();
