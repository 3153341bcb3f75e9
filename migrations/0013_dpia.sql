-- Data protection impact assessments (Art. 35), one per processing activity of the register:
-- the risks scored likelihood × severity, their mitigations with owners, the residual risk, the
-- DPO's opinion, the sign-off and the date of the next review (a reminder is sent when due).

CREATE TABLE dpias (
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  activity_id      text NOT NULL,               -- a purpose id, or 'workspace-members'
  title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  description      text NOT NULL DEFAULT '',
  necessity        text NOT NULL DEFAULT '',    -- necessity and proportionality
  risks            jsonb NOT NULL DEFAULT '[]', -- [{risk, likelihood 1-4, severity 1-4, mitigations: [{measure, owner}]}]
  residual_risk    text CHECK (residual_risk IN ('low', 'medium', 'high')),
  dpo_opinion      text,
  signed_off_by    uuid,
  signed_off_at    timestamptz,
  review_on        date NOT NULL,
  last_reminded_at timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, signed_off_by) REFERENCES members (tenant_id, id)
);

SELECT app_isolate_tenant_tables(ARRAY['dpias']);
