-- Personal data breaches (Art. 33-34): the register, the 72-hour clock from awareness, the
-- decision whether to notify and why, and the people affected. Exports of people are logged
-- item by item (ids only), so "everything member X exported between t1 and t2" can be computed,
-- and an unusually large export opens a draft incident on its own.

CREATE TABLE export_items (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  export_id      uuid NOT NULL,
  person_id      uuid NOT NULL,
  person_type    person_type NOT NULL,
  exported_at    timestamptz NOT NULL DEFAULT now(),
  exported_by    text NOT NULL,                    -- member or API token id
  PRIMARY KEY (tenant_id, export_id, person_id)
);
CREATE INDEX export_items_actor_idx ON export_items (tenant_id, exported_by, exported_at);

CREATE TYPE incident_status AS ENUM ('draft', 'open', 'notified', 'closed');

CREATE TABLE incidents (
  tenant_id              uuid NOT NULL REFERENCES tenants (id),
  id                     uuid NOT NULL DEFAULT gen_random_uuid(),
  title                  text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  nature                 text NOT NULL DEFAULT '',         -- what happened
  source                 text NOT NULL DEFAULT 'manual',   -- manual, or the detection rule
  detected_at            timestamptz NOT NULL DEFAULT now(),
  aware_at               timestamptz NOT NULL,             -- the 72-hour clock starts here
  categories_of_persons  text[] NOT NULL DEFAULT '{}',
  categories_of_data     text[] NOT NULL DEFAULT '{}',
  approx_persons         integer,
  approx_records         integer,
  likely_consequences    text NOT NULL DEFAULT '',
  measures               text NOT NULL DEFAULT '',
  status                 incident_status NOT NULL DEFAULT 'draft',
  notification_required  boolean,
  decision_reason        text,
  decided_at             timestamptz,
  authority_notified_at  timestamptz,
  persons_notified_at    timestamptz,
  created_by             text,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  closed_at              timestamptz,
  PRIMARY KEY (tenant_id, id),
  CHECK ((notification_required IS NULL) = (decision_reason IS NULL))
);

CREATE TABLE incident_persons (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  incident_id  uuid NOT NULL,
  person_id    uuid NOT NULL,
  person_type  person_type NOT NULL,
  PRIMARY KEY (tenant_id, incident_id, person_id),
  FOREIGN KEY (tenant_id, incident_id) REFERENCES incidents (tenant_id, id)
);

SELECT app_isolate_tenant_tables(ARRAY['export_items', 'incidents', 'incident_persons']);
