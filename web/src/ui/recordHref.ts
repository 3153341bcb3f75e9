const RECORD_PAGES: Record<string, string> = { contact: 'contacts', lead: 'leads', account: 'accounts', opportunity: 'opportunities' };

/** The web app's page of a record, when it has one. */
export function recordHref(type: string, id: string): string | null {
  return RECORD_PAGES[type] ? `#/${RECORD_PAGES[type]}/${id}` : null;
}
