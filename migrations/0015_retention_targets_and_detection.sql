-- Retention reaches two more kinds of data, and the audit trail is watched for anomalies.
--
-- 1. Retention targets become an open list checked here:
--      contact, lead        no activity for N days            delete | anonymise
--      opportunity          closed-lost N days ago            anonymise (who took part, notes,
--                                                             tasks and emails go; the deal's
--                                                             figures stay for statistics)
--      consent_history      consent events of people no longer held, the last one N days old
--                                                             delete
--      email_message, portal_link   created N days ago        delete

ALTER TABLE retention_rules DROP CONSTRAINT retention_rules_check;
ALTER TABLE retention_rules ALTER COLUMN target TYPE text USING target::text;
DROP TYPE retention_target;
ALTER TABLE retention_rules ADD CONSTRAINT retention_rules_action_fits_target CHECK (
  (target IN ('contact', 'lead') AND action IN ('delete', 'anonymise'))
  OR (target = 'opportunity' AND action = 'anonymise')
  OR (target IN ('consent_history', 'email_message', 'portal_link') AND action = 'delete'));
-- The fact of a consent is proof for legal claims: its history is never purged within a year.
ALTER TABLE retention_rules ADD CONSTRAINT retention_rules_consent_history_kept_a_year CHECK (target <> 'consent_history' OR after_days >= 366);

ALTER TABLE opportunities ADD COLUMN anonymised_at timestamptz;

-- The consent ledger stays append-only for everyone. Its one sanctioned deletion is this
-- function (the app role still has no DELETE grant), which removes only the history of people
-- the workspace no longer holds (erased or deleted), and only when their last event is older
-- than the cutoff the retention rule computes.
CREATE OR REPLACE FUNCTION app_refuse_change() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'consent_events' AND TG_OP = 'DELETE' AND current_setting('lawful.purging_consent_history', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION purge_consent_history(p_tenant uuid, p_people uuid[], p_cutoff timestamptz) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  removed integer;
BEGIN
  IF p_tenant IS DISTINCT FROM app_current_tenant() THEN
    RAISE EXCEPTION 'purge_consent_history: not the current workspace' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM set_config('lawful.purging_consent_history', 'on', true);
  DELETE FROM consent_events e
  WHERE e.tenant_id = p_tenant AND e.person_id = ANY (p_people)
    AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.tenant_id = p_tenant AND c.id = e.person_id)
    AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.tenant_id = p_tenant AND l.id = e.person_id)
    AND (SELECT max(x.occurred_at) FROM consent_events x WHERE x.tenant_id = p_tenant AND x.person_id = e.person_id) < p_cutoff;
  GET DIAGNOSTICS removed = ROW_COUNT;
  PERFORM set_config('lawful.purging_consent_history', 'off', true);
  RETURN removed;
END
$$;
REVOKE ALL ON FUNCTION purge_consent_history(uuid, uuid[], timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_consent_history(uuid, uuid[], timestamptz) TO lawful_app;

-- 2. Detection rules over the audit trail, per workspace: what counts as working hours, how
-- many failed sign-ins are too many, and how far the last scan got (audit seq), so every event
-- is examined once.
CREATE TABLE detection_settings (
  tenant_id               uuid NOT NULL REFERENCES tenants (id),
  timezone                text NOT NULL DEFAULT 'UTC',               -- IANA zone of working hours
  work_days               smallint[] NOT NULL DEFAULT '{1,2,3,4,5}', -- ISO weekdays, 1 = Monday
  work_start_hour         smallint NOT NULL DEFAULT 7 CHECK (work_start_hour BETWEEN 0 AND 23),
  work_end_hour           smallint NOT NULL DEFAULT 20 CHECK (work_end_hour BETWEEN 1 AND 24),
  failed_login_threshold  integer NOT NULL DEFAULT 10 CHECK (failed_login_threshold BETWEEN 3 AND 1000),
  failed_login_window_min integer NOT NULL DEFAULT 60 CHECK (failed_login_window_min BETWEEN 5 AND 1440),
  new_network_alerts      boolean NOT NULL DEFAULT true,
  scanned_seq             bigint NOT NULL DEFAULT 0,
  updated_at              timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id),
  CHECK (work_start_hour < work_end_hour)
);

-- Counting one member's failed sign-ins in a window reads the trail by actor and time.
CREATE INDEX audit_events_actor_idx ON audit_events (tenant_id, actor_id, occurred_at);

-- A detection opens one draft per finding (a repeated scan or a second node never opens two).
ALTER TABLE incidents ADD COLUMN detection_key text;
CREATE UNIQUE INDEX incidents_detection_key ON incidents (tenant_id, detection_key) WHERE detection_key IS NOT NULL;

-- The 72-hour clock warns the DPO when 48 and 24 hours remain; each warning is sent once.
ALTER TABLE incidents ADD COLUMN warned_48h_at timestamptz;
ALTER TABLE incidents ADD COLUMN warned_24h_at timestamptz;

-- Where each member signs in from (network prefixes, country when a trusted proxy tells it), so a
-- sign-in from somewhere new can be noticed.
CREATE TABLE member_networks (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  member_id   uuid NOT NULL,
  network     text NOT NULL,                   -- '203.0.113.0/24', '2001:db8:1::/48' or 'country:FR'
  first_seen  timestamptz NOT NULL DEFAULT now(),
  last_seen   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, member_id, network),
  FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id)
);

SELECT app_isolate_tenant_tables(ARRAY['detection_settings', 'member_networks']);

-- 3. The reasons staff give a person for extending or refusing their request may name the person
-- or their situation: they are kept encrypted under the request's key, like what the person
-- asked. There is no released version before this migration; a development database that held
-- reasons in clear must clear them (they cannot be encrypted here, the keys live in the app).
ALTER TABLE dsr_requests RENAME COLUMN extension_reason TO extension_reason_enc;
ALTER TABLE dsr_requests RENAME COLUMN rejection_reason TO rejection_reason_enc;
