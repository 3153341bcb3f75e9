-- Marketing law enforced by the gate (src/consent/gate.ts), not by the label a caller names.
--
-- Electronic marketing follows the channel rule of the person's jurisdiction profile: under an
-- opt-in law (ePrivacy Directive 2002/58/EC Art. 13, PECR reg. 22, LGPD) an e-mail needs the
-- person's consent to the purpose, or a recorded soft opt-in, or a B2B exception the workspace
-- enabled. The facts those rest on are stored here.

-- The soft opt-in (ePrivacy Directive Art. 13(2); PECR reg. 22(3)): a customer whose address was
-- obtained in the course of a sale, or of negotiations for one, and who was offered a simple way
-- to refuse marketing when it was collected, may be sent marketing about the workspace's own
-- similar products and services until they refuse (every message offers the refusal again).
-- One row per person: the facts staff recorded, with who recorded them and when.
CREATE TABLE soft_opt_ins (
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  person_id       uuid NOT NULL,
  person_type     person_type NOT NULL,
  relationship    text NOT NULL CHECK (relationship IN ('sale', 'negotiation')),
  -- The deal the address came with, when it is in the CRM (a won deal for a sale).
  opportunity_id  uuid,
  -- Order, invoice or quote reference; and what was sold or negotiated. Both about the person,
  -- so encrypted under their key and listed in the data inventory.
  evidence_enc    text,
  products_enc    text NOT NULL,
  -- How the person was offered to refuse marketing when the address was collected.
  opt_out_offered text NOT NULL CHECK (length(opt_out_offered) BETWEEN 1 AND 500),
  obtained_at     timestamptz NOT NULL,
  recorded_by     text NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, person_id),
  FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunities (tenant_id, id) ON DELETE SET NULL (opportunity_id)
);
SELECT app_isolate_tenant_tables(ARRAY['soft_opt_ins']);

-- Which purposes may reach people by those routes. Both only for direct marketing on legitimate
-- interest: a purpose declared on consent needs the consent it declares.
--   soft_opt_in: the purpose markets only the workspace's own products and services similar to
--     those its customers bought or negotiated, so a soft opt-in covers it;
--   about_recipients_profession: its messages concern the recipient's profession (B2B), the
--     condition of the B2B exceptions some laws allow (src/jurisdiction/profiles.ts).
ALTER TABLE purposes
  ADD COLUMN soft_opt_in boolean NOT NULL DEFAULT false,
  ADD COLUMN about_recipients_profession boolean NOT NULL DEFAULT false,
  ADD CONSTRAINT purposes_marketing_routes_need_legitimate_interest
    CHECK (NOT (soft_opt_in OR about_recipients_profession) OR (direct_marketing AND legal_basis = 'legitimate_interest'));

-- Workspace settings for campaigns: the sender identity and postal address every campaign
-- e-mail carries (Directive 2000/31/EC Art. 6(b); PECR reg. 23; CAN-SPAM 15 U.S.C. 7704(a)(5)),
-- required before a first send; and the B2B exceptions of the jurisdiction profiles the
-- workspace relies on (none unless an Administrator enables them).
ALTER TABLE tenants
  ADD COLUMN sender_name text CHECK (length(sender_name) BETWEEN 1 AND 200),
  ADD COLUMN sender_email text CHECK (length(sender_email) BETWEEN 3 AND 254),
  ADD COLUMN postal_address text CHECK (length(postal_address) BETWEEN 1 AND 500),
  ADD COLUMN marketing_exceptions text[] NOT NULL DEFAULT '{}';

-- A send stops when the gate refuses its purpose mid-way (a failed balancing test, a retired
-- purpose) or when a marketer stops it; the reason is kept.
ALTER TYPE campaign_status ADD VALUE 'stopped';
ALTER TABLE campaigns ADD COLUMN stopped_reason text;

-- Exports without a purpose (internal exports) still leave restricted people out (Art. 18), and
-- record that refusal like any other: with no purpose.
ALTER TABLE processing_refusals ALTER COLUMN purpose_id DROP NOT NULL;

-- A connected CRM is declared for one purpose: every person pushed to it passes the gate for
-- that purpose, whatever the caller says.
ALTER TABLE integrations ADD COLUMN purpose_id uuid;
ALTER TABLE integrations ADD CONSTRAINT integrations_purpose_fk FOREIGN KEY (tenant_id, purpose_id) REFERENCES purposes (tenant_id, id);

-- The origins (scheme://host[:port]) of the workspace's own sites, the only ones whose pages may
-- send cookie-banner choices with the visitor's cookie.
ALTER TABLE cookie_banners ADD COLUMN allowed_origins text[] NOT NULL DEFAULT '{}';
