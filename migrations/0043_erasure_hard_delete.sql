-- Salesforce erasures are hard deletes (Bulk API 2.0 hardDelete: the record skips the Recycle
-- Bin) when the connected user is allowed them; the receipt names that method.
ALTER TABLE sync_erasure_receipts DROP CONSTRAINT sync_erasure_receipts_method_check;
ALTER TABLE sync_erasure_receipts
  ADD CONSTRAINT sync_erasure_receipts_method_check CHECK (method IN ('gdpr_delete', 'hard_delete', 'delete'));
