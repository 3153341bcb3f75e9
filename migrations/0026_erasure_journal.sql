-- The erasure journal (src/backup/erasure-journal.ts): every data key destroyed and every
-- erasure tombstone is also written, as ids and keyed hashes only, next to the backups, so that
-- a restore of any backup can apply again the erasures made after it without a newer backup or
-- the live database. Whatever destroys a key (an erasure, retention, a deleted record, a purged
-- connection) queues the writing in its own transaction, so it happens exactly when that commits:
-- one job per workspace and transaction, run by the job worker.
CREATE FUNCTION queue_erasure_journal() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO jobs (tenant_id, queue, payload, singleton_key)
  VALUES (NEW.tenant_id, 'erasure.journal', jsonb_build_object('since', now()),
          'erasure-journal:' || NEW.tenant_id || ':' || txid_current())
  ON CONFLICT (singleton_key) WHERE state IN ('queued', 'running') DO NOTHING;
  RETURN NEW;
END $$;

CREATE TRIGGER subject_keys_destroyed_journal
  AFTER UPDATE OF destroyed_at ON subject_keys
  FOR EACH ROW WHEN (NEW.destroyed_at IS NOT NULL AND OLD.destroyed_at IS NULL)
  EXECUTE FUNCTION queue_erasure_journal();

CREATE TRIGGER erasure_tombstones_journal
  AFTER INSERT OR UPDATE ON erasure_tombstones
  FOR EACH ROW EXECUTE FUNCTION queue_erasure_journal();
