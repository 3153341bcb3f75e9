-- Saved views, hand-picked segments and bulk actions: what a sales team does with its lists.

-- A saved view of a list: its filters, its order and the columns shown, under a name. A view is
-- private to the member who saved it unless shared with the workspace; only that member (or an
-- administrator) changes or removes it. The default views every workspace has ("My records",
-- "Recently updated", "No activity for 30 days") are not rows: see src/views/defaults.ts.
CREATE TABLE saved_views (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  object      crm_record_type NOT NULL,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  owner_id    uuid NOT NULL,
  shared      boolean NOT NULL DEFAULT false,
  filters     jsonb NOT NULL DEFAULT '{}',      -- the list's query filters, validated by src/views/schema.ts
  sort        text,                             -- null: the list's default order
  columns     text[] NOT NULL DEFAULT '{}',     -- empty: the list's default columns
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX saved_views_name_idx ON saved_views (tenant_id, object, owner_id, lower(name));

-- A segment is a filter over people, or a list of people picked by hand (from a list's
-- selection). A picked person leaves the segment when their record is deleted or erased.
ALTER TABLE segments ADD COLUMN hand_picked boolean NOT NULL DEFAULT false;
ALTER TABLE segments ADD CONSTRAINT segments_hand_picked_without_filter CHECK (NOT hand_picked OR filter = '{}');

CREATE TABLE segment_members (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  segment_id  uuid NOT NULL,
  contact_id  uuid,
  lead_id     uuid,
  added_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, segment_id) REFERENCES segments (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, id) ON DELETE CASCADE,
  CHECK ((contact_id IS NULL) <> (lead_id IS NULL))
);
CREATE UNIQUE INDEX segment_members_contact_idx ON segment_members (tenant_id, segment_id, contact_id) WHERE contact_id IS NOT NULL;
CREATE UNIQUE INDEX segment_members_lead_idx ON segment_members (tenant_id, segment_id, lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX segment_members_contact_fk_idx ON segment_members (tenant_id, contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX segment_members_lead_fk_idx ON segment_members (tenant_id, lead_id) WHERE lead_id IS NOT NULL;

-- One action on many records at once (assign an owner, add to a segment, delete). The audit
-- trail records it once, naming this row, which holds how many records and which: the ids only.
CREATE TABLE bulk_actions (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  object        crm_record_type NOT NULL,
  action        text NOT NULL CHECK (action IN ('assign', 'add_to_segment', 'delete')),
  record_count  integer NOT NULL CHECK (record_count >= 0),
  record_ids    uuid[] NOT NULL,
  owner_id      uuid,                             -- assign: the new owner
  segment_id    uuid,                             -- add_to_segment: the segment
  actor_type    text NOT NULL CHECK (actor_type IN ('member', 'api_token', 'system')),
  actor_id      text,
  occurred_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (record_count = cardinality(record_ids))
);

SELECT app_isolate_tenant_tables(ARRAY['saved_views', 'segment_members', 'bulk_actions']);
