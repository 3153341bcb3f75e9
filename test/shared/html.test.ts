import assert from 'node:assert/strict';
import { test } from 'node:test';
import { html, joinHtml, page, SafeHtml } from '../../src/shared/html.ts';

// A name typed into a public form is shown back on the portal and in mail: it must arrive as text.
const hostile = `<script>alert("x")</script>&'`;
const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;';

test('every interpolated value is escaped, in text and in attributes', () => {
  assert.equal(html`<p title="${hostile}">${hostile}</p>`.toString(), `<p title="${escaped}">${escaped}</p>`);
});

test('markup made by html is inserted once, not escaped twice', () => {
  const inner = html`<em>${'a & b'}</em>`;
  assert.equal(html`<p>${inner}</p>`.toString(), '<p><em>a &amp; b</em></p>');
});

test('lists are concatenated, and null, undefined and booleans render as nothing', () => {
  const items = ['x', '<y>'].map((item) => html`<li>${item}</li>`);
  assert.equal(html`<ul>${items}</ul>`.toString(), '<ul><li>x</li><li>&lt;y&gt;</li></ul>');
  assert.equal(html`[${null}${undefined}${false}${true}${0}]`.toString(), '[0]');
  assert.equal(html`${false && html`<b>never</b>`}`.toString(), '');
});

test('a plain string is never taken for markup, even one that looks like SafeHtml', () => {
  const forged = { toString: () => '<b>forged</b>' } as unknown as string;
  assert.equal(html`${forged}`.toString(), '&lt;b&gt;forged&lt;/b&gt;');
  assert.equal(joinHtml([html`a`, html`${'<b>'}`], html`<br>`).toString(), 'a<br>&lt;b&gt;');
});

test('page escapes the title and only takes markup as its body', () => {
  const out = page(hostile, html`<h1>${hostile}</h1>`);
  assert.ok(out.includes(`<title>${escaped}</title>`));
  assert.ok(out.includes(`<h1>${escaped}</h1>`));
  assert.ok(!out.includes('<script>'));
  // @ts-expect-error a raw string is not a page body (at run time it would be shown as text)
  assert.ok(page('t', '<h1>raw</h1>').includes('&lt;h1&gt;raw'));
  assert.ok(html`x` instanceof SafeHtml);
});
