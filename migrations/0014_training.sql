-- Data protection training (Art. 39(1)(b)): modules for roles, assigned to every member of those
-- roles (new members and role changes included), completed with a date and quiz score, renewed
-- after the refresher interval.

CREATE TABLE training_modules (
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  content         text NOT NULL DEFAULT '',          -- the text, or a link to the course
  roles           member_role[] NOT NULL,
  due_within_days integer NOT NULL DEFAULT 30 CHECK (due_within_days BETWEEN 1 AND 365),
  refresher_days  integer CHECK (refresher_days BETWEEN 30 AND 3650),
  pass_score      integer NOT NULL DEFAULT 0 CHECK (pass_score BETWEEN 0 AND 100),
  archived_at     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (cardinality(roles) > 0)
);

CREATE TABLE training_assignments (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  module_id     uuid NOT NULL,
  member_id     uuid NOT NULL,
  assigned_at   timestamptz NOT NULL DEFAULT now(),
  due_at        timestamptz NOT NULL,
  completed_at  timestamptz,
  score         integer CHECK (score BETWEEN 0 AND 100),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, module_id) REFERENCES training_modules (tenant_id, id),
  FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id)
);
-- One open assignment per member and module.
CREATE UNIQUE INDEX training_assignments_open_key ON training_assignments (tenant_id, module_id, member_id) WHERE completed_at IS NULL;

SELECT app_isolate_tenant_tables(ARRAY['training_modules', 'training_assignments']);
