import type { paths } from '../../api/schema';

/** The filters of GET /tasks, as the groups of tasks ask for them. */
export type TaskFilter = Omit<NonNullable<paths['/api/v1/tasks']['get']['parameters']['query']>, 'limit' | 'cursor'>;

/** The first instant of a day of the member's own calendar, `offset` days from today, in ISO 8601 UTC. */
export function startOfDay(offset: number, now = new Date()): string {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + offset).toISOString();
}
