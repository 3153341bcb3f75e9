/** Dates and times in the API: ISO 8601 in UTC, from a Date or the drivers' timestamp strings. */
export const iso = (value: Date | string | null | undefined): string | null => (value ? new Date(value).toISOString() : null);
export const isoRequired = (value: Date | string): string => new Date(value).toISOString();
