import type { Field } from './objects.ts';

/** A record's value as the text an input shows: lists comma-separated, nothing as ''. */
export function toFormValue(value: unknown): string {
  if (Array.isArray(value)) return value.join(', ');
  return value === null || value === undefined ? '' : String(value);
}

/** An input's text as the API takes it: lists split, numbers parsed, empty optional fields null. */
export function fromFormValue<R>(field: Field<R>, value: string): unknown {
  const trimmed = value.trim();
  if (field.type === 'email-list' || field.type === 'phone-list') return trimmed ? trimmed.split(/\s*,\s*/).filter(Boolean) : [];
  if (field.type === 'number') return trimmed === '' ? null : Number(trimmed);
  // No owner chosen: the server makes the member saving the record its owner (or keeps the one it has).
  if (field.type === 'member') return trimmed === '' ? undefined : trimmed;
  return trimmed === '' ? (field.required ? '' : null) : trimmed;
}

/** A field's value on a record page: lists joined, nothing as a dash. */
export function shownField(value: unknown): string {
  if (Array.isArray(value)) return value.join(', ') || '—';
  return value === null || value === undefined || value === '' ? '—' : String(value);
}
