-- Jurisdictions: which data protection law governs a person's data. The profiles themselves
-- (rights, deadlines, verification, marketing regime, breach clocks) are declared in code, in
-- src/jurisdiction/profiles.ts; the database stores only which profile applies:
--   a workspace default, and per person an override or else the one derived from where they live.
-- Profile keys: gdpr (EU/EEA), uk_gdpr (United Kingdom), ccpa (California: CCPA as amended by
-- the CPRA), lgpd (Brazil).

ALTER TABLE tenants
  ADD COLUMN default_jurisdiction text NOT NULL DEFAULT 'gdpr'
    CHECK (default_jurisdiction IN ('gdpr', 'uk_gdpr', 'ccpa', 'lgpd'));

-- Where a person lives: the country (already stored) and its subdivision (ISO 3166-2 code after
-- the hyphen: CA for US-CA, SP for BR-SP). Coarse location, kept in clear so the processing gate
-- can decide jurisdiction for thousands of people in one query; listed in the data inventory.
ALTER TABLE contacts
  ADD COLUMN region text CHECK (region ~ '^[A-Z0-9]{1,3}$'),
  ADD COLUMN jurisdiction text CHECK (jurisdiction IN ('gdpr', 'uk_gdpr', 'ccpa', 'lgpd'));
ALTER TABLE leads
  ADD COLUMN region text CHECK (region ~ '^[A-Z0-9]{1,3}$'),
  ADD COLUMN jurisdiction text CHECK (jurisdiction IN ('gdpr', 'uk_gdpr', 'ccpa', 'lgpd'));
COMMENT ON COLUMN contacts.jurisdiction IS 'Set by staff to override the jurisdiction derived from country and region; null: derived.';
COMMENT ON COLUMN leads.jurisdiction IS 'Set by staff to override the jurisdiction derived from country and region; null: derived.';

-- Selling or sharing personal information (Cal. Civ. Code 1798.140(ad), (ah)): a purpose that
-- does it, or a connection to a third party that receives it. Processing for either is refused
-- for a person who opted out of sale and sharing, whatever their jurisdiction.
ALTER TABLE purposes ADD COLUMN sells_or_shares boolean NOT NULL DEFAULT false;
ALTER TABLE integrations ADD COLUMN sells_or_shares boolean NOT NULL DEFAULT false;

-- The opt-out of sale and sharing (Cal. Civ. Code 1798.120) is recorded in the consent ledger,
-- like every other choice of the person: an event without a purpose, because it covers every
-- purpose that sells or shares, present and future. Global Privacy Control signals are recorded
-- the same way, with the signal named as the source.
ALTER TYPE consent_event_kind ADD VALUE 'sale_sharing_opted_out';
ALTER TYPE consent_event_kind ADD VALUE 'sale_sharing_opted_in';
ALTER TABLE consent_events ALTER COLUMN purpose_id DROP NOT NULL;
ALTER TABLE consent_events ADD CONSTRAINT consent_events_purpose_or_sale_choice
  CHECK ((purpose_id IS NULL) = (kind::text IN ('sale_sharing_opted_out', 'sale_sharing_opted_in')));

-- Consent states are per purpose; the sale and sharing choice has its own state.
CREATE OR REPLACE VIEW consent_states WITH (security_invoker = true) AS
SELECT DISTINCT ON (tenant_id, person_id, purpose_id)
  tenant_id,
  person_id,
  person_type,
  purpose_id,
  CASE kind
    WHEN 'given' THEN CASE WHEN requires_confirmation THEN 'pending' ELSE 'granted' END
    WHEN 'confirmed' THEN 'granted'
    ELSE kind::text
  END AS state,
  occurred_at AS since,
  id AS event_id
FROM consent_events
WHERE kind <> 'repermission_requested' AND purpose_id IS NOT NULL
ORDER BY tenant_id, person_id, purpose_id, seq DESC;

-- The person's current choice about sale and sharing: the latest such event.
CREATE VIEW sale_sharing_states WITH (security_invoker = true) AS
SELECT DISTINCT ON (tenant_id, person_id)
  tenant_id,
  person_id,
  person_type,
  kind::text = 'sale_sharing_opted_out' AS opted_out,
  method,
  source,
  occurred_at AS since,
  id AS event_id
FROM consent_events
WHERE purpose_id IS NULL
ORDER BY tenant_id, person_id, seq DESC;

-- Requests under laws other than the GDPR: the CCPA's opt-out of sale and sharing and its
-- right to limit the use of sensitive personal information. Each request keeps the
-- jurisdiction its deadline was computed under.
ALTER TYPE dsr_type ADD VALUE 'opt_out_sale_sharing';
ALTER TYPE dsr_type ADD VALUE 'limit_sensitive';
ALTER TABLE dsr_requests
  ADD COLUMN jurisdiction text NOT NULL DEFAULT 'gdpr'
    CHECK (jurisdiction IN ('gdpr', 'uk_gdpr', 'ccpa', 'lgpd'));
