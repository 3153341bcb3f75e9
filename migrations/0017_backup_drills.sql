-- The restore drill ("reanimation test"): on a schedule, the newest backup is restored into a
-- scratch database and compared with its manifest, and the outcome is kept here for the
-- compliance dashboard. A backup holds every workspace, so this table belongs to the
-- installation, not to a workspace; it holds no personal data.
CREATE TABLE backup_drills (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  backup_id       text NOT NULL,
  backup_taken_at timestamptz NOT NULL,
  ran_at          timestamptz NOT NULL DEFAULT now(),
  ok              boolean NOT NULL,
  rows_restored   bigint,
  seconds         numeric(10, 2) NOT NULL,
  error           text
);
CREATE INDEX backup_drills_ran_idx ON backup_drills (ran_at);
