-- Every change of a deal's stage, shown on its timeline. Kept by a trigger, so the API, the
-- board, imports and CRM sync all leave the same trace. changed_by is the member whose request
-- made the change (app.member_id, set with the workspace on each request's transaction); null
-- when the system did (a sync run, a job). A restore (src/backup) inserts the history as it was
-- backed up, with app.restoring set so that the trigger stays out of it.
CREATE TABLE opportunity_stage_changes (
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  opportunity_id  uuid NOT NULL,
  from_stage      opportunity_stage,                -- null: the deal was created in to_stage
  to_stage        opportunity_stage NOT NULL,
  changed_by      uuid,
  changed_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunities (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX opportunity_stage_changes_deal_idx ON opportunity_stage_changes (tenant_id, opportunity_id, changed_at);

SELECT app_isolate_tenant_tables(ARRAY['opportunity_stage_changes']);

CREATE FUNCTION app_record_stage_change() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  -- A restore brings the history back with the deals: it is not made again.
  IF current_setting('app.restoring', true) = 'on' THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' OR NEW.stage IS DISTINCT FROM OLD.stage THEN
    INSERT INTO opportunity_stage_changes (tenant_id, opportunity_id, from_stage, to_stage, changed_by)
    VALUES (NEW.tenant_id, NEW.id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.stage END, NEW.stage,
            nullif(current_setting('app.member_id', true), '')::uuid);
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER opportunities_stage_history
  AFTER INSERT OR UPDATE OF stage ON opportunities
  FOR EACH ROW EXECUTE FUNCTION app_record_stage_change();

-- Deals before this migration start their history at their current stage.
INSERT INTO opportunity_stage_changes (tenant_id, opportunity_id, from_stage, to_stage, changed_by, changed_at)
SELECT tenant_id, id, NULL, stage, created_by, created_at FROM opportunities;
