/** Spreadsheets execute cells starting with = + - @ (or tab/CR) as formulas: neutralise them (OWASP CSV injection). */
export function safeCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = Array.isArray(value) ? value.join(';') : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
