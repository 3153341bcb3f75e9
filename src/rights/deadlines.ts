import { PROFILES, type Jurisdiction, type Period } from '../jurisdiction/profiles.ts';

/**
 * Statutory deadlines of data subject requests, in one place, for every jurisdiction profile
 * (src/jurisdiction/profiles.ts declares the periods):
 * - months (GDPR, UK GDPR: one month, extendable by two): a month runs to the same day of the
 *   next month; when that day does not exist the period ends on the month's last day
 *   (31 January → 28 or 29 February);
 * - days (CCPA: 45 + 45; LGPD: 15, no extension): calendar days of elapsed time;
 * - business days (CCPA opt-out of sale and limit requests: 15): Monday to Friday, public
 *   holidays not counted out (the deadline is therefore never later than the law's).
 * All in UTC.
 */

/** Requests due within this many days are "near due" on the dashboard and in the DPO's alerts. */
export const NEAR_DUE_DAYS = 7;
const DAY = 86_400_000;

export function addMonthsClamped(from: Date, months: number): Date {
  const year = from.getUTCFullYear();
  const month = from.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(from.getUTCDate(), lastDay);
  return new Date(Date.UTC(year, month, day, from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds(), from.getUTCMilliseconds()));
}

/** Counts forward over Mondays to Fridays; from a weekend the first business day is Monday. */
export function addBusinessDays(from: Date, days: number): Date {
  let at = from.getTime();
  let left = days;
  while (left > 0) {
    at += DAY;
    const weekday = new Date(at).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return new Date(at);
}

export function addPeriod(from: Date, period: Period): Date {
  if ('months' in period) return addMonthsClamped(from, period.months);
  if ('days' in period) return new Date(from.getTime() + period.days * DAY);
  return addBusinessDays(from, period.businessDays);
}

/** "one month", "45 days", "15 business days": how the period reads in letters to the person. */
export function describePeriod(period: Period): string {
  if ('months' in period) return period.months === 1 ? 'one month' : `${period.months} months`;
  if ('days' in period) return `${period.days} days`;
  return `${period.businessDays} business days`;
}

/** The response period of a request of this type under this jurisdiction, and where the law says so. */
export function responseRule(jurisdiction: Jurisdiction, type?: string): { response: Period; reference: string } {
  const rule = PROFILES[jurisdiction].deadline;
  return (type && rule.byType?.[type]) || { response: rule.response, reference: rule.reference };
}

export function dueDate(receivedAt: Date, jurisdiction: Jurisdiction = 'gdpr', type?: string): Date {
  return addPeriod(receivedAt, responseRule(jurisdiction, type).response);
}

export class ExtensionRefused extends Error {}

/** The extension the law allows for this request, or null: none for LGPD, none for the CCPA's 15-business-day requests. */
export function extensionOf(jurisdiction: Jurisdiction, type?: string): Period | null {
  const rule = PROFILES[jurisdiction].deadline;
  return type && rule.byType?.[type] ? null : rule.extension;
}

/**
 * The deadline once extended: months count from receipt (one + two = three months, same day
 * rule), days from the first deadline.
 *
 * The reading chosen for GDPR Art. 12(3) ("extended by two further months") and UK GDPR is the
 * ICO's: the extended period ends three months after receipt, on the corresponding calendar date
 * (ICO, "Time limits for responding to data protection rights requests"). The other reading adds
 * the two months to the end of the first month, period by period, as Regulation (EEC, Euratom)
 * No 1182/71 Art. 3 computes successive periods (EDPB Guidelines 01/2022 on the right of access,
 * section 5.3, applies that Regulation to the first month). They differ only when the first
 * month was cut short: received 31 January, this module answers 30 April (three months, clamped),
 * the other reading 28 April (28 February + two months).
 */
export function extendedDueDate(receivedAt: Date, jurisdiction: Jurisdiction = 'gdpr', type?: string): Date {
  const extension = extensionOf(jurisdiction, type);
  if (!extension) throw new ExtensionRefused(`${PROFILES[jurisdiction].name} allows no extension of this deadline.`);
  const response = responseRule(jurisdiction, type).response;
  if ('months' in extension && 'months' in response) return addMonthsClamped(receivedAt, response.months + extension.months);
  return addPeriod(dueDate(receivedAt, jurisdiction, type), extension);
}

export type DeadlineState = 'on_time' | 'near_due' | 'overdue';

export function deadlineState(dueAt: Date, now: Date = new Date()): DeadlineState {
  if (now.getTime() > dueAt.getTime()) return 'overdue';
  return dueAt.getTime() - now.getTime() <= NEAR_DUE_DAYS * DAY ? 'near_due' : 'on_time';
}

/**
 * Whether a request may still be extended: only where its law allows it, once, with a reason,
 * and only while the first period runs (the person must be told within it).
 */
export function assertExtensible(
  request: { receivedAt: Date; extendedAt: Date | null; jurisdiction?: Jurisdiction; type?: string },
  reason: string,
  now: Date = new Date(),
): void {
  const jurisdiction = request.jurisdiction ?? 'gdpr';
  const profile = PROFILES[jurisdiction];
  const extension = extensionOf(jurisdiction, request.type);
  const rule = responseRule(jurisdiction, request.type);
  if (!extension) throw new ExtensionRefused(`${profile.name} allows no extension of this deadline (${rule.reference}).`);
  if (request.extendedAt)
    throw new ExtensionRefused(`The deadline has already been extended; ${profile.name} allows it once, by ${describePeriod(extension)}.`);
  if (reason.trim().length < 10) throw new ExtensionRefused('Give the reason for the extension (it is sent to the person).');
  if (now.getTime() > dueDate(request.receivedAt, jurisdiction, request.type).getTime()) {
    throw new ExtensionRefused(`An extension must be decided and told to the person within the first ${describePeriod(rule.response)}.`);
  }
}
