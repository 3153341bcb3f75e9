-- At disconnect Lawful CRM deletes its copy of a connection's credentials, and asks the vendor to
-- revoke the token (src/sync/revoke.ts). What the vendor answered is kept here until the purge
-- writes it into the certificate: {revoked: boolean, detail: text, at: timestamptz}.
ALTER TABLE integrations
  ADD COLUMN vendor_revocation jsonb;
