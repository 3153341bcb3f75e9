/**
 * Statutory deadlines of data subject requests, in one place (Art. 12(3) GDPR): one month from
 * receipt, extendable by two further months when the request is complex or numerous, with the
 * person told why within the first month. A month runs to the same day of the next month; when
 * that day does not exist the period ends on the month's last day (31 January → 28 or 29
 * February), in UTC.
 */

export const RESPONSE_MONTHS = 1;
export const EXTENSION_MONTHS = 2;
/** Requests due within this many days are "near due" on the dashboard and in the DPO's alerts. */
export const NEAR_DUE_DAYS = 7;

export function addMonthsClamped(from: Date, months: number): Date {
  const year = from.getUTCFullYear();
  const month = from.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(from.getUTCDate(), lastDay);
  return new Date(Date.UTC(year, month, day, from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds(), from.getUTCMilliseconds()));
}

export function dueDate(receivedAt: Date): Date {
  return addMonthsClamped(receivedAt, RESPONSE_MONTHS);
}

export function extendedDueDate(receivedAt: Date): Date {
  return addMonthsClamped(receivedAt, RESPONSE_MONTHS + EXTENSION_MONTHS);
}

export type DeadlineState = 'on_time' | 'near_due' | 'overdue';

export function deadlineState(dueAt: Date, now: Date = new Date()): DeadlineState {
  if (now.getTime() > dueAt.getTime()) return 'overdue';
  return dueAt.getTime() - now.getTime() <= NEAR_DUE_DAYS * 86_400_000 ? 'near_due' : 'on_time';
}

export class ExtensionRefused extends Error {}

/**
 * Whether a request may still be extended: once only, with a reason, and only while the first
 * month runs (the person must be told within it).
 */
export function assertExtensible(request: { receivedAt: Date; extendedAt: Date | null }, reason: string, now: Date = new Date()): void {
  if (request.extendedAt) throw new ExtensionRefused('The deadline has already been extended; the law allows it once, by two months.');
  if (reason.trim().length < 10) throw new ExtensionRefused('Give the reason for the extension (it is sent to the person).');
  if (now.getTime() > dueDate(request.receivedAt).getTime()) throw new ExtensionRefused('An extension must be decided and told to the person within the first month.');
}
