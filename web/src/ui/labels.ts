import type { Schemas } from '../api/client.ts';

export type Role = Schemas['Member']['role'];

export const ROLE_LABELS: Record<Role, string> = {
  administrator: 'Administrator',
  company_manager: 'Company manager',
  marketing_manager: 'Marketing manager',
  sales_manager: 'Sales manager',
  salesperson: 'Salesperson',
  jr_salesperson: 'Junior salesperson',
};
export const ROLES = Object.keys(ROLE_LABELS) as Role[];

const SPECIAL: Record<string, string> = { uk_gdpr: 'UK GDPR', gdpr: 'GDPR', ccpa: 'CCPA', lgpd: 'LGPD', dpo: 'DPO', crm: 'CRM' };

/** A code as people read it: `closed_won` → "Closed won", `uk_gdpr` → "UK GDPR". */
export function labelOf(code: string): string {
  if (SPECIAL[code]) return SPECIAL[code];
  const words = code.split(/[_.]/).map((word) => SPECIAL[word] ?? word);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The day of an ISO timestamp (UTC), as every screen writes dates: 2026-12-06. */
export function dateOnly(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : '—';
}

export function dateTime(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 16).replace('T', ' ') : '—';
}

/** A rate between 0 and 1 as a percentage with one decimal. */
export function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10} %`;
}
