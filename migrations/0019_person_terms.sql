-- Finding people by blind index (an email address, a name token) without scanning the workspace.
--
-- contacts.email_index / name_index and leads.name_index are arrays with GIN indexes, but the
-- array operators (@>, &&) are not LEAKPROOF: under row-level security PostgreSQL must apply the
-- tenant policy first and cannot use those indexes, so every such lookup read every contact of
-- the workspace (400 ms at a million contacts). Text equality is leakproof, so each term is kept
-- here once more under a B-tree key, and lookups go through this table.
--
-- The rows are derived: statement triggers on contacts and leads keep them in step with the
-- arrays (whatever writes them: the app, an import, an erasure, a restore), and backups leave the
-- table out because a restore rebuilds it through the same triggers.
CREATE TABLE person_terms (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  term        text NOT NULL,                   -- 'email:<blind index>' or 'name:<blind index>'
  person_type text NOT NULL CHECK (person_type IN ('contact', 'lead')),
  person_id   uuid NOT NULL,
  PRIMARY KEY (tenant_id, term, person_type, person_id)
);
CREATE INDEX person_terms_person_idx ON person_terms (tenant_id, person_type, person_id);

SELECT app_isolate_tenant_tables(ARRAY['person_terms']);

-- Statement triggers with transition tables: a bulk insert of 500 contacts costs one INSERT
-- here, not 500. An update touches the terms only of rows whose indexes changed.
CREATE FUNCTION contact_terms_sync() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM person_terms p USING old_rows o
     WHERE p.tenant_id = o.tenant_id AND p.person_type = 'contact' AND p.person_id = o.id;
  ELSIF TG_OP = 'UPDATE' THEN
    DELETE FROM person_terms p USING old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
     WHERE (o.email_index, o.name_index) IS DISTINCT FROM (n.email_index, n.name_index)
       AND p.tenant_id = o.tenant_id AND p.person_type = 'contact' AND p.person_id = o.id;
    INSERT INTO person_terms (tenant_id, term, person_type, person_id)
    SELECT n.tenant_id, t.term, 'contact', n.id
      FROM new_rows n JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id,
           LATERAL (SELECT 'email:' || e FROM unnest(n.email_index) e UNION SELECT 'name:' || x FROM unnest(n.name_index) x) t (term)
     WHERE (o.email_index, o.name_index) IS DISTINCT FROM (n.email_index, n.name_index)
    ON CONFLICT DO NOTHING;
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

CREATE FUNCTION lead_terms_sync() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM person_terms p USING old_rows o
     WHERE p.tenant_id = o.tenant_id AND p.person_type = 'lead' AND p.person_id = o.id;
  ELSIF TG_OP = 'UPDATE' THEN
    DELETE FROM person_terms p USING old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
     WHERE (o.email_index, o.name_index) IS DISTINCT FROM (n.email_index, n.name_index)
       AND p.tenant_id = o.tenant_id AND p.person_type = 'lead' AND p.person_id = o.id;
    INSERT INTO person_terms (tenant_id, term, person_type, person_id)
    SELECT n.tenant_id, t.term, 'lead', n.id
      FROM new_rows n JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id,
           LATERAL (SELECT 'email:' || n.email_index WHERE n.email_index IS NOT NULL UNION SELECT 'name:' || x FROM unnest(n.name_index) x) t (term)
     WHERE (o.email_index, o.name_index) IS DISTINCT FROM (n.email_index, n.name_index)
    ON CONFLICT DO NOTHING;
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

CREATE TRIGGER contacts_terms_insert AFTER INSERT ON contacts
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_terms_sync();
CREATE TRIGGER contacts_terms_update AFTER UPDATE ON contacts
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_terms_sync();
CREATE TRIGGER contacts_terms_delete AFTER DELETE ON contacts
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_terms_sync();
CREATE TRIGGER leads_terms_insert AFTER INSERT ON leads
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_terms_sync();
CREATE TRIGGER leads_terms_update AFTER UPDATE ON leads
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_terms_sync();
CREATE TRIGGER leads_terms_delete AFTER DELETE ON leads
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_terms_sync();

-- The terms of everyone already stored, per workspace because row-level security is forced.
DO $$
DECLARE
  t uuid;
BEGIN
  FOR t IN SELECT id FROM tenants LOOP
    PERFORM set_config('app.tenant_id', t::text, true);
    INSERT INTO person_terms (tenant_id, term, person_type, person_id)
    SELECT c.tenant_id, x.term, 'contact', c.id
      FROM contacts c, LATERAL (SELECT 'email:' || e FROM unnest(c.email_index) e UNION SELECT 'name:' || n FROM unnest(c.name_index) n) x (term)
     WHERE c.tenant_id = t
    ON CONFLICT DO NOTHING;
    INSERT INTO person_terms (tenant_id, term, person_type, person_id)
    SELECT l.tenant_id, x.term, 'lead', l.id
      FROM leads l, LATERAL (SELECT 'email:' || l.email_index WHERE l.email_index IS NOT NULL UNION SELECT 'name:' || n FROM unnest(l.name_index) n) x (term)
     WHERE l.tenant_id = t
    ON CONFLICT DO NOTHING;
  END LOOP;
  PERFORM set_config('app.tenant_id', '', true);
END
$$;
