-- An erasure tombstones every identifier of the erased person, not only the address the request
-- came from: each e-mail address and each phone number of their contacts and leads, as keyed
-- hashes (blind indexes). A record created later with any of them is flagged
-- reappeared_after_erasure, and every erased address goes on the suppression list, so the
-- objection to marketing that an erasure implies follows the address.

-- Blind indexes of phone numbers (digits and a leading +, under the workspace's index key), kept
-- like the e-mail ones. NULL on rows written before this migration: the application fills them
-- in at start (src/crm/phone-index.ts).
ALTER TABLE contacts ADD COLUMN phone_index text[];
ALTER TABLE contacts ALTER COLUMN phone_index SET DEFAULT '{}';
ALTER TABLE leads ADD COLUMN phone_index text;

-- What a tombstone's keyed hash is of. The column keeps its name; for kind 'phone' it holds the
-- phone number's blind index (computed under another index kind, so it never equals an address's).
ALTER TABLE erasure_tombstones ADD COLUMN kind text NOT NULL DEFAULT 'email' CHECK (kind IN ('email', 'phone'));
COMMENT ON COLUMN erasure_tombstones.email_index IS 'Blind index of the erased identifier: an e-mail address, or a phone number when kind = ''phone''';

CREATE OR REPLACE FUNCTION flag_contact_after_erasure() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM erasure_tombstones t
             WHERE t.tenant_id = NEW.tenant_id
               AND t.email_index = ANY (NEW.email_index || coalesce(NEW.phone_index, '{}'))) THEN
    NEW.reappeared_after_erasure := true;
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE FUNCTION flag_lead_after_erasure() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM erasure_tombstones t
             WHERE t.tenant_id = NEW.tenant_id AND t.email_index IN (NEW.email_index, NEW.phone_index)) THEN
    NEW.reappeared_after_erasure := true;
  END IF;
  RETURN NEW;
END
$$;
DROP TRIGGER contacts_flag_reappearance ON contacts;
DROP TRIGGER leads_flag_reappearance ON leads;
CREATE TRIGGER contacts_flag_reappearance BEFORE INSERT OR UPDATE OF email_index, phone_index ON contacts
  FOR EACH ROW EXECUTE FUNCTION flag_contact_after_erasure();
CREATE TRIGGER leads_flag_reappearance BEFORE INSERT OR UPDATE OF email_index, phone_index ON leads
  FOR EACH ROW EXECUTE FUNCTION flag_lead_after_erasure();

-- The suppression an erasure leaves on each of the person's addresses.
ALTER TYPE suppression_reason ADD VALUE 'erased';
