-- Reminders of tasks: at the due time, or some minutes before it, by e-mail to the assignee and
-- in the app until the assignee closes it. reminder_minutes is how long before the due time; null
-- means no reminder. Tasks made before this migration have none, so an upgrade does not mail
-- every overdue task at once.
ALTER TABLE tasks ADD COLUMN reminder_minutes integer CHECK (reminder_minutes BETWEEN 0 AND 10080);
ALTER TABLE tasks ADD COLUMN reminded_at timestamptz;              -- the reminder e-mail went out
ALTER TABLE tasks ADD COLUMN reminder_dismissed_at timestamptz;    -- the assignee closed it in the app
ALTER TABLE tasks ADD CONSTRAINT tasks_reminder_needs_due CHECK (reminder_minutes IS NULL OR due_at IS NOT NULL);

-- The job looks for reminders not yet sent, by due time, every minute.
CREATE INDEX tasks_reminders_due_idx ON tasks (tenant_id, due_at)
  WHERE NOT done AND reminder_minutes IS NOT NULL AND reminded_at IS NULL;
