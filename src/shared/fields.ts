import { z } from 'zod';
import { isCountryCode, isCurrencyCode, normaliseDomain } from './normalise.ts';
import { PLAIN_PHONE, readPhone } from './phones.ts';

/** The values every module validates the same way, with the same messages. */

/** A record's id in a path: /things/:id. */
export const idParam = z.object({ id: z.string().uuid() });

export const country = z.string().trim().toUpperCase().refine(isCountryCode, 'must be an ISO 3166-1 alpha-2 country code, e.g. DE');
export const currency = z.string().trim().toUpperCase().refine(isCurrencyCode, 'must be an ISO 4217 currency code, e.g. EUR');
export const domain = z
  .string()
  .max(253)
  .transform((value, ctx) => {
    const normalised = normaliseDomain(value);
    if (!normalised) {
      ctx.addIssue({ code: 'custom', message: 'must be a domain name such as acme.com' });
      return z.NEVER;
    }
    return normalised;
  });
export const email = z
  .string()
  .trim()
  .max(254)
  .email('must be a valid email address')
  .transform((value) => value.toLowerCase());
export const phone = z
  .string()
  .trim()
  .max(60)
  .refine(
    (value) => PLAIN_PHONE.test(value) || readPhone(value).ok,
    'must be a phone number (digits, spaces, + ( ) . - /, and an extension such as "ext. 12")',
  );
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), 'is not a real date');
/**
 * A web page people are sent to (a privacy policy): http or https only, so a javascript: or
 * data: URL can never become a link on a public page.
 */
export const webUrl = z
  .string()
  .trim()
  .max(2000)
  .url('must be a URL such as https://example.org/privacy')
  .refine((value) => /^https?:\/\/[^/]/i.test(value), 'must be an http:// or https:// URL');
/** The origin of a web site (scheme, host, port), as browsers send it in the Origin header. */
export const webOrigin = z
  .string()
  .trim()
  .max(300)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value.replace(/\/+$/, '');
    } catch {
      return false;
    }
  }, 'must be an origin such as https://www.example.org (scheme, host and port only)')
  .transform((value) => new URL(value).origin);
export const isoDateTime = z.string().datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z' });
/** Money as a decimal string or number, at most two decimals; returned as a string. */
export const amount = z.union([z.number(), z.string().trim()]).transform((value, ctx) => {
  const textValue = typeof value === 'number' ? String(value) : value;
  if (!/^\d{1,16}(\.\d{1,2})?$/.test(textValue)) {
    ctx.addIssue({ code: 'custom', message: 'must be a non-negative amount with at most 2 decimals, e.g. "1250.00"' });
    return z.NEVER;
  }
  return textValue;
});
