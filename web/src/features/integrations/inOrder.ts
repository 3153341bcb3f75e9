/** Entries in the connector's own order (companies before contacts ...), whatever order the JSON kept. */
export function inOrder<T>(record: Record<string, T>, order: string[]): Array<[string, T]> {
  return Object.entries(record).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
}

export const VENDOR_NAMES: Record<string, string> = { hubspot: 'HubSpot', salesforce: 'Salesforce', pipedrive: 'Pipedrive', csv: 'CSV' };
