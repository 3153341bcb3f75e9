/**
 * The Art. 14 notice: a template with placeholders, filled from the register of processing
 * activities, the purposes and the person's provenance. Every item Art. 14(1)-(2) requires has a
 * placeholder that a workspace's own template must keep (REQUIRED), so a notice cannot go out
 * without one of them.
 */

export interface NoticeFacts {
  controller: string;
  /** How to reach the data protection officer, or the controller when there is none. */
  dpo: string;
  /** One line per activity: purpose, legal basis (and the legitimate interest where that is the basis). */
  purposes: string[];
  categories: string[];
  recipients: string[];
  transfers: string[];
  retention: string[];
  source: string;
  publiclyAccessible: boolean;
  obtainedAt: Date;
  portal: string;
}

export const PLACEHOLDERS = [
  { key: 'controller', required: true, fills: 'the workspace, as controller (Art. 14(1)(a))' },
  { key: 'dpo', required: true, fills: "the data protection officer's contact (Art. 14(1)(b))" },
  { key: 'purposes', required: true, fills: 'each purpose with its legal basis and legitimate interest (Art. 14(1)(c), 14(2)(b))' },
  { key: 'categories', required: true, fills: 'the categories of data held (Art. 14(1)(d))' },
  { key: 'recipients', required: true, fills: 'recipients and their categories (Art. 14(1)(e))' },
  { key: 'transfers', required: true, fills: 'transfers outside the EEA and their safeguards (Art. 14(1)(f))' },
  { key: 'retention', required: true, fills: 'how long the data is kept (Art. 14(2)(a))' },
  { key: 'rights', required: true, fills: 'the rights of the person, consent withdrawal and complaint (Art. 14(2)(c)-(e))' },
  { key: 'source', required: true, fills: 'where the data came from (Art. 14(2)(f))' },
  { key: 'public', required: true, fills: 'whether that source is publicly accessible (Art. 14(2)(f))' },
  { key: 'obtained', required: false, fills: 'the date the data was obtained' },
  { key: 'portal', required: true, fills: 'the link to the privacy portal, where the person sees and exercises their rights' },
] as const;

const RIGHTS =
  'You may ask us for access to your data, to correct it, to erase it, to restrict its processing and to receive it in a ' +
  'portable format. You may object at any time to its processing for direct marketing, and to processing based on our ' +
  'legitimate interests on grounds relating to your situation. Where we rely on your consent you may withdraw it at any ' +
  'time, without affecting what was done before. No decision about you is made by automated means alone. You may lodge a ' +
  'complaint with a supervisory authority, in particular where you live or work.';

export const DEFAULT_NOTICE = {
  subject: 'How {{controller}} came to hold your personal data',
  body: `Hello,

{{controller}} holds personal data about you that we did not collect from you. The law (Article 14 of the GDPR) asks us to tell you about it, and we want you to know.

Where it came from: {{source}} ({{public}}), on {{obtained}}.
What we hold: {{categories}}.

Why we hold it, and on what legal basis:
{{purposes}}

Who receives it: {{recipients}}.
Transfers outside the European Economic Area: {{transfers}}.
How long we keep it: {{retention}}.

Who we are: {{controller}}. Our data protection officer: {{dpo}}.

Your rights: {{rights}}

See the data we hold and exercise your rights here: {{portal}}
`,
};

/** The required placeholders a template leaves out (each must appear at least once). */
export function missingPlaceholders(template: { subject: string; body: string }): string[] {
  const text = `${template.subject}\n${template.body}`;
  return PLACEHOLDERS.filter((p) => p.required && !text.includes(`{{${p.key}}}`)).map((p) => p.key);
}

/** Placeholders the template names that do not exist (a typo would otherwise go out as is). */
export function unknownPlaceholders(template: { subject: string; body: string }): string[] {
  const known = new Set<string>(PLACEHOLDERS.map((p) => p.key));
  const named = [...`${template.subject}\n${template.body}`.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].map((m) => m[1]!);
  return [...new Set(named.filter((key) => !known.has(key)))];
}

const list = (items: string[], none: string) => (items.length > 0 ? items.join('; ') : none);

/** The notice as sent: the template with every placeholder filled. */
export function fillNotice(template: { subject: string; body: string }, facts: NoticeFacts): { subject: string; text: string } {
  const values: Record<string, string> = {
    controller: facts.controller,
    dpo: facts.dpo,
    purposes: facts.purposes.length > 0 ? facts.purposes.map((line) => `- ${line}`).join('\n') : '- (no purpose is in force)',
    categories: list(facts.categories, 'contact details'),
    recipients: list(facts.recipients, 'no one outside our organisation'),
    transfers: list(facts.transfers, 'none'),
    retention: list(facts.retention, 'as long as the purposes above require'),
    rights: RIGHTS,
    source: facts.source,
    public: facts.publiclyAccessible ? 'a publicly accessible source' : 'not a publicly accessible source',
    obtained: facts.obtainedAt.toISOString().slice(0, 10),
    portal: facts.portal,
  };
  const fill = (text: string) => text.replace(/\{\{\s*([a-z]+)\s*\}\}/g, (whole, key: string) => values[key] ?? whole);
  return { subject: fill(template.subject), text: fill(template.body) };
}
