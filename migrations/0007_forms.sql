-- Hosted and embeddable forms. A form collects a person's details and one consent checkbox per
-- purpose, unticked. What a person saw is fixed in a version: editing a live form creates a new
-- version, and every submission and consent event names the version it came through.

CREATE TYPE form_status AS ENUM ('draft', 'live', 'archived');

CREATE TABLE forms (
  tenant_id         uuid NOT NULL REFERENCES tenants (id),
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  status            form_status NOT NULL DEFAULT 'draft',
  creates           person_type NOT NULL DEFAULT 'lead',    -- a new person becomes a lead or a contact
  double_opt_in     boolean NOT NULL DEFAULT true,
  -- Consents not confirmed within this many days expire.
  confirm_within_days integer NOT NULL DEFAULT 7 CHECK (confirm_within_days BETWEEN 1 AND 90),
  current_version   integer NOT NULL DEFAULT 1,
  owner_id          uuid NOT NULL,                          -- owner of the records it creates
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES members (tenant_id, id)
);

CREATE TABLE form_versions (
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  form_id         uuid NOT NULL,
  version         integer NOT NULL CHECK (version >= 1),
  title           text NOT NULL,
  intro           text NOT NULL DEFAULT '',
  fields          jsonb NOT NULL,      -- [{key, label, required}], email always present
  consents        jsonb NOT NULL,      -- [{purposeId, textHash}]: one unticked checkbox each
  policy_version  text NOT NULL,       -- the privacy policy version the form links to
  policy_url      text NOT NULL,
  success_message text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, form_id, version),
  FOREIGN KEY (tenant_id, form_id) REFERENCES forms (tenant_id, id)
);

-- One submission; with double opt-in it waits for the signed link in the confirmation email.
CREATE TABLE form_submissions (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  form_id        uuid NOT NULL,
  form_version   integer NOT NULL,
  person_type    person_type NOT NULL,
  person_id      uuid NOT NULL,
  outcome        text NOT NULL CHECK (outcome IN ('created', 'updated')),
  purpose_ids    uuid[] NOT NULL DEFAULT '{}',      -- the purposes ticked
  submitted_at   timestamptz NOT NULL DEFAULT now(),
  confirm_by     timestamptz,                       -- null when nothing awaits confirmation
  confirmed_at   timestamptz,
  expired_at     timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, form_id, form_version) REFERENCES form_versions (tenant_id, form_id, version)
);
CREATE INDEX form_submissions_form_idx ON form_submissions (tenant_id, form_id, submitted_at);
CREATE INDEX form_submissions_unconfirmed_idx ON form_submissions (confirm_by) WHERE confirmed_at IS NULL AND expired_at IS NULL;

-- The cookie banner of a workspace's landing pages: its wording; the categories are the
-- purposes that name a cookie_category.
CREATE TABLE cookie_banners (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  text        text NOT NULL,
  policy_url  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);

-- Spam limits of the public endpoints, shared by every app node.
CREATE TABLE public_rate_limits (
  key          text PRIMARY KEY,            -- e.g. 'form:<form id>:<client address>'
  hits         integer NOT NULL,
  window_start timestamptz NOT NULL
);

SELECT app_isolate_tenant_tables(ARRAY['forms', 'form_versions', 'form_submissions', 'cookie_banners']);

-- Public pages (cookie banner, privacy portal) name a workspace by its slug before any tenant
-- context exists. This function answers only that: the id of the workspace with this slug.
CREATE FUNCTION workspace_id_by_slug(workspace_slug text) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT id FROM tenants WHERE slug = workspace_slug
$$;
REVOKE ALL ON FUNCTION workspace_id_by_slug(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION workspace_id_by_slug(text) TO lawful_app;
