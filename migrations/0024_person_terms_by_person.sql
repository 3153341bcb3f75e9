-- The index that finds a person's own terms, reordered so that it no longer competes with the
-- primary key for lookups by term (#9).
--
-- A lookup by blind index (`tenant_id = $1 AND person_type = 'contact' AND term = ANY ($2)`,
-- src/crm/terms.ts) belongs on the primary key (tenant_id, term, …). But
-- person_terms_person_idx (tenant_id, person_type, person_id) matched two of its conditions too,
-- and on statistics taken while the table was still small (a first import, a first sync) the
-- planner preferred it: it then read every term of the workspace and filtered them, 63 ms per
-- lookup at 100,000 contacts, once per batch of 500, so an import slowed down as it grew. On
-- (tenant_id, person_id) it serves only what it is for, the triggers' deletes of a person's terms
-- (`tenant_id = $1 AND person_id = ANY ($2)`; ids are unique across contacts and leads).
DROP INDEX person_terms_person_idx;
CREATE INDEX person_terms_person_idx ON person_terms (tenant_id, person_id);
