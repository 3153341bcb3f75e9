-- Transparency for personal data not obtained from the person (GDPR Art. 14).
--
-- A person whose record did not come from themselves (an import, a connected CRM, a third-party
-- provider, the API, a business card typed in by hand) must be told who holds their data, why,
-- and where it came from (Art. 14(2)(f)), within a reasonable period and at the latest within
-- one month of obtaining it, or at the first communication with them, or before the data is
-- first disclosed to another recipient, whichever comes first (Art. 14(3)).
--
-- Each such record owes a notice per source it came from (art14_notices), made by a trigger as
-- the record is inserted, so imports, sync, the API and lead conversion all owe it alike. The
-- notice is sent by e-mail (src/notices): alone, or inside the first campaign e-mail that
-- reaches the person first; the copy kept in email_messages is the text they were sent.
-- A source may be exempt (Art. 14(5)), recorded with its justification in notice_sources.

-- A record typed in from what the person handed over themselves (a form they filled in on
-- paper, a conversation) is marked so; otherwise only web forms count as obtained from them.
ALTER TABLE contacts ADD COLUMN obtained_from_person boolean NOT NULL DEFAULT false;
ALTER TABLE leads ADD COLUMN obtained_from_person boolean NOT NULL DEFAULT false;

-- The sources the workspace obtains people's data from, as its notices name them, and the
-- Art. 14(5) exemption recorded for one, with the reasons: (a) the person already has the
-- information, (b) informing them is impossible or would take disproportionate effort (the
-- assessment is recorded, and the information made public instead), (c) a law lays down the
-- obtaining. source_ref null: every source of that type.
CREATE TABLE notice_sources (
  tenant_id           uuid NOT NULL REFERENCES tenants (id),
  id                  uuid NOT NULL DEFAULT gen_random_uuid(),
  source_type         provenance_source NOT NULL CHECK (source_type <> 'form'),
  source_ref          text,
  label               text NOT NULL,            -- how the notice names the source ("trade fair list 2026")
  publicly_accessible boolean NOT NULL DEFAULT false,  -- Art. 14(2)(f): whether it came from publicly accessible sources
  exemption           text CHECK (exemption IN ('already_informed', 'disproportionate_effort', 'legal_obligation')),
  justification       text,
  assessment          text,                     -- the disproportionate-effort assessment (Art. 14(5)(b))
  recorded_by         uuid,
  recorded_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (exemption IS NULL OR justification IS NOT NULL),
  CHECK (exemption IS DISTINCT FROM 'disproportionate_effort' OR assessment IS NOT NULL)
);
CREATE UNIQUE INDEX notice_sources_source ON notice_sources (tenant_id, source_type, coalesce(source_ref, ''));

-- The notice a person is owed for one source, and whether it went out. due_at is the earliest
-- of the Art. 14(3) limits known so far: one month after obtaining, brought forward to the
-- moment of a first disclosure to a connected CRM. A notice carried by a campaign e-mail is
-- sent with it (sent_via 'campaign'). message_id: the copy in email_messages, with the text.
CREATE TABLE art14_notices (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  person_id    uuid NOT NULL,
  person_type  person_type NOT NULL,
  source_type  provenance_source NOT NULL,
  source_ref   text,
  obtained_at  timestamptz NOT NULL,
  due_at       timestamptz NOT NULL,
  due_reason   text NOT NULL DEFAULT 'one_month' CHECK (due_reason IN ('one_month', 'first_disclosure')),
  sent_at      timestamptz,
  sent_via     text CHECK (sent_via IN ('notice', 'campaign')),
  message_id   uuid,
  last_error   text,                            -- why the last attempt to send it failed (no address, refused)
  PRIMARY KEY (tenant_id, id),
  CHECK ((sent_at IS NULL) = (sent_via IS NULL))
);
CREATE UNIQUE INDEX art14_notices_person_source ON art14_notices (tenant_id, person_id, source_type, coalesce(source_ref, ''));
CREATE INDEX art14_notices_due ON art14_notices (tenant_id, due_at) WHERE sent_at IS NULL;

-- The workspace's notice: subject and text with placeholders the sender fills in from the
-- register, the purposes and the person's provenance (src/notices/compose.ts).
CREATE TABLE notice_templates (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  subject     text NOT NULL,
  body        text NOT NULL,
  auto_send   boolean NOT NULL DEFAULT true,    -- the job sends notices as they come due
  updated_by  uuid,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX notice_templates_one ON notice_templates (tenant_id);

SELECT app_isolate_tenant_tables(ARRAY['notice_sources', 'art14_notices', 'notice_templates']);

ALTER TABLE email_messages DROP CONSTRAINT email_messages_kind_check;
ALTER TABLE email_messages ADD CONSTRAINT email_messages_kind_check
  CHECK (kind IN ('campaign', 'confirmation', 'repermission', 'dsr', 'notice'));

-- Art. 14(3)(a): at the latest within one month of obtaining the data.
CREATE FUNCTION art14_notice_due(obtained timestamptz) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE AS $$ SELECT obtained + interval '1 month' $$;

CREATE FUNCTION app_owe_art14_notice() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  -- A restore brings the notices back with the people: they are not owed again.
  IF current_setting('app.restoring', true) = 'on' THEN
    RETURN NULL;
  END IF;
  INSERT INTO art14_notices (tenant_id, person_id, person_type, source_type, source_ref, obtained_at, due_at)
  SELECT tenant_id, id, TG_ARGV[0]::person_type, source_type, source_ref, collected_at, art14_notice_due(collected_at)
    FROM new_people
   WHERE source_type <> 'form' AND NOT obtained_from_person
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

CREATE TRIGGER contacts_owe_art14_notice AFTER INSERT ON contacts
  REFERENCING NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION app_owe_art14_notice('contact');
CREATE TRIGGER leads_owe_art14_notice AFTER INSERT ON leads
  REFERENCING NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION app_owe_art14_notice('lead');

-- A person deleted (by hand, in bulk, by retention, by a CRM's purge) is owed nothing any more.
CREATE FUNCTION app_forget_art14_notices() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM art14_notices n USING old_people o WHERE n.tenant_id = o.tenant_id AND n.person_id = o.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER contacts_forget_art14_notices AFTER DELETE ON contacts
  REFERENCING OLD TABLE AS old_people FOR EACH STATEMENT EXECUTE FUNCTION app_forget_art14_notices();
CREATE TRIGGER leads_forget_art14_notices AFTER DELETE ON leads
  REFERENCING OLD TABLE AS old_people FOR EACH STATEMENT EXECUTE FUNCTION app_forget_art14_notices();

-- People held before this migration owe their notice too, due from when they were obtained.
INSERT INTO art14_notices (tenant_id, person_id, person_type, source_type, source_ref, obtained_at, due_at)
SELECT tenant_id, id, 'contact', source_type, source_ref, collected_at, art14_notice_due(collected_at)
  FROM contacts WHERE source_type <> 'form' AND anonymised_at IS NULL
ON CONFLICT DO NOTHING;
INSERT INTO art14_notices (tenant_id, person_id, person_type, source_type, source_ref, obtained_at, due_at)
SELECT tenant_id, id, 'lead', source_type, source_ref, collected_at, art14_notice_due(collected_at)
  FROM leads WHERE source_type <> 'form' AND converted_contact_id IS NULL
ON CONFLICT DO NOTHING;
