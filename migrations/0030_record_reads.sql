-- Which people a list or a search showed, to whom and when: the access report (Art. 15(1)(c),
-- recipients and who saw the data) names every read of a person, not only the reads of their own
-- record page. One row per person per list page read; erased with the person (PERSON_REFERENCES),
-- like the rows of exports that included them (export_items).
CREATE TABLE record_reads (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  person_id   uuid NOT NULL,
  person_type person_type NOT NULL,
  action      text NOT NULL CHECK (action IN ('contact.list', 'lead.list')),
  searched    boolean NOT NULL,                 -- the list was a search (q)
  actor_type  text NOT NULL CHECK (actor_type IN ('member', 'api_token', 'system', 'data_subject')),
  actor_id    text,
  read_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX record_reads_person_idx ON record_reads (tenant_id, person_id, read_at);
SELECT app_isolate_tenant_tables(ARRAY['record_reads']);
