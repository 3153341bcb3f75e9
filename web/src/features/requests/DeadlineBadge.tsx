import type { Dsr } from './requestLabels.ts';

const LABELS: Record<Dsr['deadline'], string> = { on_time: 'on time', near_due: 'due soon', overdue: 'overdue', closed: 'closed' };

export function DeadlineBadge({ deadline }: { deadline: Dsr['deadline'] }) {
  return (
    <span className="badge" data-deadline={deadline}>
      {LABELS[deadline]}
    </span>
  );
}
