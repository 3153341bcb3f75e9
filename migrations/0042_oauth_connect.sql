-- Connecting a CRM by signing in there (OAuth 2 authorization code, RFC 6749 §4.1, with PKCE,
-- RFC 7636, where the vendor supports it). Between "Connect" and the vendor's redirect back, the
-- pending connection waits here: the state value the redirect must bring back (stored hashed), who
-- asked, the settings chosen, and the PKCE verifier (useless without the authorization code, which
-- only the browser that signed in receives). Single use; ten minutes at most.
CREATE TABLE oauth_connect_states (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  state_hash     text NOT NULL,                 -- sha256 of the state value sent to the vendor
  kind           text NOT NULL CHECK (kind IN ('hubspot', 'salesforce', 'pipedrive')),
  member_id      uuid NOT NULL,                 -- only the member who started it may finish it
  settings       jsonb NOT NULL,                -- label, objects, interval, role, purpose
  code_verifier  text,                          -- PKCE (RFC 7636 §4.1); null where the vendor has no PKCE
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, state_hash)
);

SELECT app_isolate_tenant_tables(ARRAY['oauth_connect_states']);
