/**
 * Server-rendered pages for people who are not members (forms, confirmations, the privacy portal)
 * and the HTML part of e-mails. Every value put into html`…` is escaped unless it is itself the
 * product of html`…`: markup can only come from template literals written in this code base, so a
 * value cannot be forgotten unescaped. (Prettier's embedded formatting is off so that it leaves the
 * markup inside html`…` exactly as written: it would otherwise rewrite what is sent.)
 */
function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Markup built by html`…`; a plain string is never taken for one. */
export class SafeHtml {
  readonly #markup: string;
  constructor(markup: string) {
    this.#markup = markup;
  }
  toString(): string {
    return this.#markup;
  }
}

/** What a template may interpolate: text (escaped), markup, lists of either, or nothing (null, undefined, booleans render as ''). */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false || value === true) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let markup = strings[0]!;
  values.forEach((value, i) => {
    markup += render(value) + strings[i + 1]!;
  });
  return new SafeHtml(markup);
}

/** Joins pieces of markup with a separator that is itself markup (e.g. html`<br>`). */
export function joinHtml(parts: readonly SafeHtml[], separator: SafeHtml): SafeHtml {
  return new SafeHtml(parts.map(String).join(separator.toString()));
}

export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1d2433;line-height:1.5}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=text],input[type=email],input[type=tel]{width:100%;padding:.5rem;border:1px solid #b8c0cc;border-radius:4px;box-sizing:border-box}
.consent{display:flex;gap:.5rem;align-items:flex-start;font-weight:normal}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
button{margin-top:1rem;padding:.6rem 1.2rem;background:#2b59c3;color:#fff;border:0;border-radius:4px;font-size:1rem;cursor:pointer}
.error{color:#b00020}.muted{color:#5b6475;font-size:.9rem}
table{border-collapse:collapse;width:100%}td,th{padding:.4rem;border-bottom:1px solid #e3e7ee;text-align:left}
</style></head><body>${body}</body></html>`.toString();
}
