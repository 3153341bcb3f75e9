-- email_messages becomes a transactional outbox for the e-mails a state change promises (the
-- completion of a data subject request, a receipt, a double opt-in confirmation, the notice that
-- a restriction is lifted). The message is written in the transaction of the change, as
-- 'queued', with everything needed to send it sealed in mail_enc under the same key as the copy;
-- a job (mail.deliver) sends it, retrying with backoff, and then empties mail_enc. A process
-- that dies between the commit and the send no longer loses the e-mail: the job finds it.
--
-- A message can go out twice if the process dies after the SMTP server accepted it and before
-- its 'sent' committed (at least once, never zero times). Campaign e-mails keep their own job
-- (each recipient's state is its checkpoint) and are stored as 'sent'.
ALTER TABLE email_messages
  ADD COLUMN state      text NOT NULL DEFAULT 'sent' CHECK (state IN ('queued', 'sent', 'failed')),
  ADD COLUMN mail_enc   text,            -- the message as it will be sent (links, attachments); null once sent
  ADD COLUMN attempts   integer NOT NULL DEFAULT 0,
  ADD COLUMN last_error text,            -- the transport's answer, addresses removed
  ADD COLUMN sent_at    timestamptz;   -- null for messages sent before this version: they went out at created_at

CREATE INDEX email_messages_queued_idx ON email_messages (tenant_id, created_at) WHERE state = 'queued';
