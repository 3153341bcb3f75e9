-- The audit trail: append-only and hash-chained per tenant.
--
-- Each event stores the hash of the tenant's previous event and its own SHA-256 over a
-- canonical encoding of its fields (src/audit/chain.ts), so a changed, removed or inserted
-- row breaks the chain and `lawful audit verify` names the first broken link.
-- It holds record ids and field names, never the personal values themselves, so erasing a
-- person never requires rewriting it.

-- The head of each tenant's chain. Writers lock this row (UPDATE) to append, which orders
-- concurrent writers of one tenant without blocking other tenants.
CREATE TABLE audit_chain_heads (
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  last_seq   bigint NOT NULL,
  last_hash  text NOT NULL,
  PRIMARY KEY (tenant_id)
);

CREATE TABLE audit_events (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  seq         bigint NOT NULL,                 -- 1, 2, 3 ... per tenant
  occurred_at timestamptz NOT NULL,
  actor_type  text NOT NULL CHECK (actor_type IN ('member', 'api_token', 'system', 'data_subject')),
  actor_id    text,
  action      text NOT NULL,                   -- e.g. 'member.update', 'auth.login', 'contact.read'
  object_type text,
  object_id   text,
  fields      text[] NOT NULL DEFAULT '{}',    -- names of the fields changed, never values
  ip          text,                            -- members: as seen; data subjects: truncated network
  user_agent  text,
  request_id  text,
  prev_hash   text NOT NULL,
  hash        text NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_events_object_idx ON audit_events (tenant_id, object_type, object_id);

-- Append-only, whatever the role: UPDATE and DELETE are refused by a trigger, and the app role
-- is not even granted them.
CREATE FUNCTION audit_events_refuse_change() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_append_only
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
CREATE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM lawful_app;

ALTER TABLE audit_chain_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_chain_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_chain_heads_of_tenant ON audit_chain_heads
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_events_of_tenant ON audit_events
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
