-- Data subject requests have a retention too. A closed request is evidence that the person's
-- rights were answered (Art. 5(2), 12): it is kept whole for an evidence period after it closed
-- (3 years by default: the built-in rule "closed-requests"), then reduced to a de-identified
-- record: its type, channel, jurisdiction, dates and outcome stay; the request's data key is
-- destroyed (requester's address and name, their words, the reasons told to them, the evidence
-- summaries all become unreadable), its address's blind index is cleared so it no longer finds
-- anyone, and the copies of the e-mails about it are deleted.
ALTER TABLE dsr_requests ADD COLUMN deidentified_at timestamptz;

ALTER TABLE retention_rules DROP CONSTRAINT retention_rules_action_fits_target;
ALTER TABLE retention_rules ADD CONSTRAINT retention_rules_action_fits_target CHECK (
  (target IN ('contact', 'lead') AND action IN ('delete', 'anonymise'))
  OR (target IN ('opportunity', 'dsr_request') AND action = 'anonymise')
  OR (target IN ('consent_history', 'email_message', 'portal_link') AND action = 'delete'));
-- The evidence that a request was answered is kept at least a year (the longest limitation
-- periods for complaints are longer: 3 years is the default).
ALTER TABLE retention_rules ADD CONSTRAINT retention_rules_requests_kept_a_year CHECK (target <> 'dsr_request' OR after_days >= 366);
