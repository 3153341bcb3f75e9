-- Search over people's names without their names in the database in clear (#29).
--
-- Names and addresses are stored encrypted per person, so no index in the database can match
-- "kee" to Keeley or sort by last name. Each application node keeps a directory of the names it
-- decrypted, in memory only (src/search/). These triggers tell every node, through
-- LISTEN/NOTIFY, which people changed: the payload carries the workspace and the ids, never a
-- value, so nothing of a name reaches the WAL or a log through it. Notifications are sent when
-- the transaction commits, so a node rereads a person only once the change is visible to it.
--
-- Payload: '<tenant id>:<contact|lead|account|key>:<id>,<id>,…', at most 150 ids (a
-- notification holds 8,000 bytes), one notification per chunk of a statement's rows.
CREATE FUNCTION notify_people_directory() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  chunk record;
BEGIN
  FOR chunk IN
    SELECT tenant_id, string_agg(id::text, ',') AS ids
      FROM (SELECT tenant_id, id, (row_number() OVER (PARTITION BY tenant_id ORDER BY id) - 1) / 150 AS n
              FROM changed_rows) numbered
     GROUP BY tenant_id, n
  LOOP
    PERFORM pg_notify('people_directory', chunk.tenant_id || ':' || TG_ARGV[0] || ':' || chunk.ids);
  END LOOP;
  RETURN NULL;
END
$$;

CREATE TRIGGER contacts_directory_insert AFTER INSERT ON contacts
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_people_directory('contact');
CREATE TRIGGER contacts_directory_update AFTER UPDATE ON contacts
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_people_directory('contact');
CREATE TRIGGER contacts_directory_delete AFTER DELETE ON contacts
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_people_directory('contact');
CREATE TRIGGER leads_directory_insert AFTER INSERT ON leads
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_people_directory('lead');
CREATE TRIGGER leads_directory_update AFTER UPDATE ON leads
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_people_directory('lead');
CREATE TRIGGER leads_directory_delete AFTER DELETE ON leads
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_people_directory('lead');
-- A contact's company is its account's name.
CREATE TRIGGER accounts_directory_update AFTER UPDATE ON accounts
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_people_directory('account');

-- A destroyed key (crypto-shredding) makes a person unreadable even where the row stays (a legal
-- hold keeps it): every node forgets them and drops the key it may still hold in its cache.
-- Only destroyed keys are sent: a rotation rewraps every key and must not make every node reread everyone.
CREATE FUNCTION notify_destroyed_keys() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  chunk record;
BEGIN
  FOR chunk IN
    SELECT tenant_id, string_agg(id::text, ',') AS ids
      FROM (SELECT tenant_id, id, (row_number() OVER (PARTITION BY tenant_id ORDER BY id) - 1) / 150 AS n
              FROM changed_rows WHERE wrapped_key IS NULL) numbered
     GROUP BY tenant_id, n
  LOOP
    PERFORM pg_notify('people_directory', chunk.tenant_id || ':key:' || chunk.ids);
  END LOOP;
  RETURN NULL;
END
$$;
CREATE TRIGGER subject_keys_directory_update AFTER UPDATE ON subject_keys
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_destroyed_keys();
