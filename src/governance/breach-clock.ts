import type { BreachClock } from '../jurisdiction/profiles.ts';
import { addBusinessDays } from '../rights/deadlines.ts';

/**
 * The Art. 33(1) clock: the supervisory authority must be notified within 72 hours of becoming
 * aware of a breach. Counted in elapsed time (UTC milliseconds), never in calendar days, so a
 * daylight-saving change in between neither shortens nor lengthens it.
 */
export const NOTIFY_WITHIN_HOURS = 72;
/** Warnings when this many hours remain. */
export const WARN_AT_HOURS = [48, 24] as const;

const HOUR = 3_600_000;

export function notificationDeadline(awareAt: Date): Date {
  return new Date(awareAt.getTime() + NOTIFY_WITHIN_HOURS * HOUR);
}

export type ClockLevel = 'running' | 'warning_48h' | 'warning_24h' | 'overdue' | 'stopped';

export interface ClockState {
  deadline: string;
  hoursRemaining: number;
  level: ClockLevel;
}

/** The clock stops once the authority is notified, or once it is decided no notification is due. */
export function clockState(awareAt: Date, now: Date, stopped: boolean): ClockState {
  const deadline = notificationDeadline(awareAt);
  const remaining = (deadline.getTime() - now.getTime()) / HOUR;
  let level: ClockLevel = 'running';
  if (stopped) level = 'stopped';
  else if (remaining < 0) level = 'overdue';
  else if (remaining <= WARN_AT_HOURS[1]) level = 'warning_24h';
  else if (remaining <= WARN_AT_HOURS[0]) level = 'warning_48h';
  return { deadline: deadline.toISOString(), hoursRemaining: Math.round(remaining * 10) / 10, level };
}

/**
 * The authority's deadline under one jurisdiction's breach rule (src/jurisdiction/profiles.ts):
 * hours of elapsed time (GDPR, UK GDPR: 72), business days (LGPD: 3), or null where the law sets
 * no fixed period (CCPA: "the most expedient time possible").
 */
export function breachDeadline(awareAt: Date, within: BreachClock['within']): Date | null {
  if (!within) return null;
  if ('hours' in within) return new Date(awareAt.getTime() + within.hours * HOUR);
  return addBusinessDays(awareAt, within.businessDays);
}
