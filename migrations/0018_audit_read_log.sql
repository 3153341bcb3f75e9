-- Reads of people's records (contact.read, contact.list, lead.read, lead.list) are the bulk of
-- the audit trail. Chaining each one as it happens made every request of a workspace wait for
-- the chain head (audit_chain_heads is one row per workspace, locked by every writer), so reads
-- queued behind each other.
--
-- A read now lands here first, in the request's own transaction and without any lock. The
-- `audit.chain-reads` job (every minute), and anything that reads the trail (the audit log, an
-- access report, `lawful audit verify`), moves the waiting rows into audit_events in id order,
-- under one head lock per batch: every read still ends up in the hash chain, at most a minute
-- later, and whoever asks about the trail always sees it whole.
CREATE TABLE audit_read_log (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          bigint GENERATED ALWAYS AS IDENTITY,
  occurred_at timestamptz NOT NULL,
  actor_type  text NOT NULL CHECK (actor_type IN ('member', 'api_token', 'system', 'data_subject')),
  actor_id    text,
  action      text NOT NULL,
  object_type text,
  object_id   text,
  fields      text[] NOT NULL DEFAULT '{}',    -- names of the fields involved, never values
  ip          text,
  user_agent  text,
  request_id  text,
  PRIMARY KEY (tenant_id, id)
);

-- Rows are only ever added, then moved into the chain (deleted here in the same transaction).
CREATE TRIGGER audit_read_log_no_update
  BEFORE UPDATE ON audit_read_log
  FOR EACH ROW EXECUTE FUNCTION app_refuse_change();
REVOKE UPDATE, TRUNCATE ON audit_read_log FROM lawful_app;

SELECT app_isolate_tenant_tables(ARRAY['audit_read_log']);

-- "Who looked at this person?" (the access report) asks by object id alone, whatever the type.
CREATE INDEX audit_events_object_id_idx ON audit_events (tenant_id, object_id);
