import type { Schemas } from '../../api/client.ts';

export type Deal = Schemas['Opportunity'];

/**
 * Totals of a column, one per currency: amounts in GBP, EUR and USD are never added together.
 * Summed in minor units (cents) so 0.1 + 0.2 stays 0.30.
 */
export function currencyTotals(deals: Deal[]): Array<{ currency: string; amount: number }> {
  const cents = new Map<string, number>();
  for (const deal of deals) cents.set(deal.currency, (cents.get(deal.currency) ?? 0) + Math.round(Number(deal.amount) * 100));
  return [...cents.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, total]) => ({ currency, amount: total / 100 }));
}

export function money(amount: number | string, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency, maximumFractionDigits: 0 }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}
