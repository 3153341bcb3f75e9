import type { Role } from '../../ui/labels.ts';

/**
 * What an empty list says: with filters, that nothing matches them; without, whose records the
 * member can see and why (server: src/crm/visibility.ts), so an empty list is not mistaken for a fault.
 */
export function EmptyList({ plural, filtered, role }: { plural: string; filtered: boolean; role: Role }) {
  if (filtered) return <p className="muted">No {plural} match these filters.</p>;
  const scope =
    role === 'salesperson' || role === 'jr_salesperson'
      ? `You see the ${plural} you own and those with a task assigned to you. None yet: a manager can give you records, or create one.`
      : role === 'sales_manager' || role === 'marketing_manager'
        ? `You see the ${plural} owned by you and your team, and those with a task assigned to one of you. None yet.`
        : `No ${plural} yet.`;
  return <p className="muted">{scope}</p>;
}
