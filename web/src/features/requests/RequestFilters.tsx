import type { ReactNode } from 'react';
import { REQUEST_TYPES, type Dsr, type DsrType } from './requestLabels.ts';

export interface Filters {
  status?: Dsr['status'] | 'open';
  type?: DsrType;
  deadline?: 'near_due' | 'overdue';
  sort: 'dueAt' | '-receivedAt';
}

function Choice<K extends keyof Filters>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: Filters[K];
  options: Array<[string, string]>;
  onChange(value: Filters[K]): void;
}): ReactNode {
  return (
    <select aria-label={label} value={value ?? ''} onChange={(e) => onChange((e.target.value || undefined) as Filters[K])}>
      {options.map(([option, text]) => (
        <option key={option} value={option}>
          {text}
        </option>
      ))}
    </select>
  );
}

/** The queue's filters: status, type, deadline and order. */
export function RequestFilters({ filters, onChange }: { filters: Filters; onChange(filters: Filters): void }) {
  return (
    <div className="toolbar">
      <Choice<'status'>
        label="Status"
        value={filters.status}
        onChange={(status) => onChange({ ...filters, status })}
        options={[
          ['open', 'Open'],
          ['', 'All'],
          ['received', 'Received'],
          ['verifying', 'Verifying'],
          ['in_progress', 'In progress'],
          ['completed', 'Completed'],
          ['rejected', 'Rejected'],
        ]}
      />
      <Choice<'type'>
        label="Type"
        value={filters.type}
        onChange={(type) => onChange({ ...filters, type })}
        options={[['', 'All types'], ...Object.entries(REQUEST_TYPES)]}
      />
      <Choice<'deadline'>
        label="Deadline"
        value={filters.deadline}
        onChange={(deadline) => onChange({ ...filters, deadline })}
        options={[
          ['', 'Any deadline'],
          ['near_due', 'Due within a week'],
          ['overdue', 'Overdue'],
        ]}
      />
      <Choice<'sort'>
        label="Sort"
        value={filters.sort}
        onChange={(sort) => onChange({ ...filters, sort: sort ?? 'dueAt' })}
        options={[
          ['dueAt', 'Soonest deadline'],
          ['-receivedAt', 'Newest'],
        ]}
      />
    </div>
  );
}
