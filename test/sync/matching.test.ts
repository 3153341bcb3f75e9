import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccountMatcher, companyKey, registrableDomain, similarity } from '../../src/sync/match.ts';

/** A seeded generator, so the set (and the figures printed) are the same on every run. */
function random(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

const STEMS = [
  'Nordlicht',
  'Bergmann',
  'Sonnenfeld',
  'Alpenglanz',
  'Kaltwasser',
  'Rheinwerk',
  'Blauhafen',
  'Eichendorf',
  'Falkenberg',
  'Grünwald',
  'Hafenstadt',
  'Lindenhof',
  'Morgenrot',
  'Seeblick',
  'Steinbruch',
  'Waldkirch',
  'Zugspitze',
  'Élan',
  'Prisma',
  'Quantum',
  'Vektor',
  'Orbit',
  'Kobalt',
  'Meridian',
  'Solaris',
];
const TRADES = [
  'Logistik',
  'Software',
  'Consulting',
  'Maschinenbau',
  'Energie',
  'Medien',
  'Pharma',
  'Textil',
  'Bau',
  'Handel',
  'Analytics',
  'Robotics',
];
const FORMS = ['GmbH', 'AG', 'SE', 'Ltd', 'Inc.', 'S.A.', 'B.V.', 'SARL', ''];

const ascii = (value: string) => value.normalize('NFKD').replace(/\p{M}/gu, '');

describe('account matching: precision and recall on a generated set with known truth', () => {
  it('links true matches despite typos, legal forms, accents and subdomains, and sends ambiguity to review', () => {
    const next = random(42);
    const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)]!;
    const internal: Array<{ id: string; name: string; domain: string | null }> = [];
    const seen = new Set<string>();
    while (internal.length < 1200) {
      const name = `${pick(STEMS)} ${pick(TRADES)}${next() < 0.3 ? ` ${Math.floor(next() * 90 + 10)}` : ''}`;
      if (seen.has(companyKey(name))) continue;
      seen.add(companyKey(name));
      const slug = ascii(name)
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-');
      internal.push({
        id: `acc-${internal.length}`,
        name: `${name} ${pick(FORMS)}`.trim(),
        domain: next() < 0.6 ? `${slug}.example` : null,
      });
    }
    // Two workspace accounts that look alike to any name rule: the external one must land in review.
    internal.push(
      { id: 'twin-a', name: 'Zwilling Partner GmbH', domain: null },
      { id: 'twin-b', name: 'Zwilling Partner AG', domain: null },
    );
    const matcher = new AccountMatcher(internal);

    type Case = { name: string; domain: string | null; truth: string | null; variant: string };
    const cases: Case[] = [];
    for (const account of internal.slice(0, 600)) {
      const base = account.name.replace(/\s+(GmbH|AG|SE|Ltd|Inc\.|S\.A\.|B\.V\.|SARL)$/, '');
      const variant = pick(['suffix', 'case', 'accents', 'typo', 'subdomain', 'www']);
      let name = base;
      let domain = account.domain;
      if (variant === 'suffix') name = `${base} ${pick(FORMS.filter(Boolean))}`;
      if (variant === 'case') name = base.toUpperCase();
      if (variant === 'accents') name = ascii(base);
      if (variant === 'typo') {
        const at = 2 + Math.floor(next() * (base.length - 4));
        name = base.slice(0, at) + base[at + 1] + base[at] + base.slice(at + 2);
        domain = null;
      }
      if (variant === 'subdomain' && domain) domain = `shop.${domain}`;
      if (variant === 'www' && domain) domain = `www.${domain}`.replace(/^www\./, '');
      cases.push({ name, domain: variant === 'typo' ? null : domain, truth: account.id, variant });
    }
    // Companies the workspace does not know, named from the same words.
    for (let i = 0; cases.filter((c) => c.truth === null).length < 400; i++) {
      const name = `${pick(TRADES)} ${pick(STEMS)} Holding ${i}`;
      cases.push({ name, domain: next() < 0.5 ? `other-${i}.example` : null, truth: null, variant: 'unknown' });
    }
    cases.push({ name: 'Zwilling Partner', domain: null, truth: 'review', variant: 'ambiguous' });

    let truePositive = 0;
    let falsePositive = 0;
    let falseNegative = 0;
    let reviewed = 0;
    const misses: string[] = [];
    for (const c of cases) {
      const decision = matcher.match({ name: c.name, domain: c.domain });
      if (decision.kind === 'review') {
        reviewed += 1;
        if (c.truth !== 'review') misses.push(`${c.variant}: "${c.name}" went to review (${decision.explanation})`);
        continue;
      }
      if (c.truth === 'review') {
        misses.push(`ambiguous "${c.name}" was decided: ${decision.kind}`);
        continue;
      }
      if (decision.kind === 'linked') {
        assert.ok(decision.explanation.length > 0, 'every link says which rule made it');
        if (decision.id === c.truth) truePositive += 1;
        else {
          falsePositive += 1;
          misses.push(`${c.variant}: "${c.name}" linked to the wrong account by ${decision.rule}`);
        }
      } else if (c.truth !== null) {
        falseNegative += 1;
        misses.push(`${c.variant}: "${c.name}" not linked`);
      }
    }
    const precision = truePositive / (truePositive + falsePositive);
    const recall = truePositive / (truePositive + falseNegative);
    console.log(
      `account matching on ${cases.length} external companies: precision ${(precision * 100).toFixed(1)} %, recall ${(recall * 100).toFixed(1)} %, ${reviewed} sent to review`,
    );
    if (misses.length) console.log(misses.slice(0, 10).join('\n'));
    assert.ok(precision >= 0.99, `precision ${precision}`);
    assert.ok(recall >= 0.95, `recall ${recall}`);
    assert.ok(!misses.some((m) => m.startsWith('ambiguous')), 'the ambiguous name went to review');
  });

  it('explains its normalisation', () => {
    assert.equal(companyKey('Société Générale S.A.'), 'societe generale');
    assert.equal(companyKey('ACME GmbH & Co. KG'), 'acme and');
    assert.equal(companyKey('The Acme Company Ltd.'), 'acme');
    assert.equal(registrableDomain('eu.shop.acme.co.uk'), 'acme.co.uk');
    assert.equal(registrableDomain('shop.acme.com'), 'acme.com');
    assert.ok(similarity('nordlicht logistik', 'nordlicht logsitik') >= 0.85);
    const matcher = new AccountMatcher([{ id: 'a', name: 'Acme', domain: 'acme.com' }]);
    assert.deepEqual(
      matcher.match({ name: 'Acme', domain: 'acme.fr' }),
      { kind: 'none' },
      'a name never links companies whose domains differ',
    );
    assert.equal(matcher.match({ name: 'Totally Different', domain: 'shop.acme.com' }).kind, 'linked');
  });
});
