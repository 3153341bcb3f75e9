import { nameTokens } from '../shared/normalise.ts';
import type { MatchRule } from '../db/types-sync.ts';

/**
 * Linking external companies to the workspace's accounts: by domain first (the registrable
 * part, so shop.acme.com meets acme.com), then by normalised name (case, accents, punctuation
 * and legal form ignored: "ACME GmbH" meets "Acme"), then by a fuzzy name above a threshold
 * (typos). A name never links two companies whose domains differ. When a rule finds more than
 * one candidate the answer is "review": the record is kept apart and a person decides.
 */

const LEGAL_FORMS = new Set([
  'ab',
  'ag',
  'aps',
  'as',
  'asa',
  'bv',
  'bvba',
  'co',
  'company',
  'corp',
  'corporation',
  'cv',
  'eg',
  'ev',
  'gbr',
  'gmbh',
  'group',
  'holding',
  'inc',
  'incorporated',
  'kft',
  'kg',
  'kgaa',
  'limited',
  'llc',
  'llp',
  'lp',
  'ltd',
  'mbh',
  'nv',
  'oy',
  'oyj',
  'ohg',
  'plc',
  'pty',
  'sa',
  'sarl',
  'sas',
  'se',
  'spa',
  'sl',
  'srl',
  'sro',
  'ug',
  'zoo',
  'the',
]);

/** The name with case, accents, punctuation and legal forms removed ("Société Générale S.A." → "societe generale"). */
export function companyKey(name: string): string {
  // Dotted abbreviations ("S.A.", "B.V.") are one token once their dots go.
  const tokens = nameTokens(
    name
      .replace(/\b(\p{L})\.(?=\p{L}\.)/gu, '$1')
      .replace(/(\p{L})\.(\s|$)/gu, '$1$2')
      .replace(/&/g, ' and '),
  );
  const kept = tokens.filter((token) => !LEGAL_FORMS.has(token));
  return (kept.length > 0 ? kept : tokens).join(' ');
}

/** Second-level labels under which companies register (acme.co.uk), for the registrable domain. */
const SECOND_LEVEL = new Set(['co', 'com', 'net', 'org', 'gov', 'ac', 'edu', 'ltd', 'plc', 'or', 'ne', 'go']);

/** "eu.shop.acme.co.uk" → "acme.co.uk"; "www.acme.com" → "acme.com". */
export function registrableDomain(domain: string): string {
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.');
  if (labels.length <= 2) return labels.join('.');
  const keep = labels.at(-1)!.length === 2 && SECOND_LEVEL.has(labels.at(-2)!) ? 3 : 2;
  return labels.slice(-keep).join('.');
}

/** Edit distance counting a swap of two neighbouring letters as one edit (optimal string alignment), the commonest typo. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, beforePrevious[j - 2]! + 1);
      current[j] = best;
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/** 1 for equal strings, 0 for nothing in common. */
export function similarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - editDistance(a, b) / longest;
}

/** Names this similar (after normalisation) are taken for the same company; 0.85 lets one typo in a short name through. */
export const FUZZY_THRESHOLD = 0.85;
/** A trigram shared by more names than this says little about which one is meant (and costs the most). */
const MAX_POSTINGS = 1000;

function trigrams(key: string): string[] {
  const padded = `  ${key} `;
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3));
  return [...grams];
}

export interface AccountCandidate {
  id: string;
  name: string;
  domain: string | null;
}

export type MatchDecision =
  | { kind: 'linked'; id: string; rule: Exclude<MatchRule, 'review' | 'pushed'>; explanation: string }
  | { kind: 'review'; candidates: string[]; rule: Exclude<MatchRule, 'review' | 'pushed'>; explanation: string }
  | { kind: 'none' };

/** An index of the workspace's accounts, kept in memory for one sync run and told of every account it creates. */
export class AccountMatcher {
  private readonly byDomain = new Map<string, AccountCandidate[]>();
  private readonly byKey = new Map<string, AccountCandidate[]>();
  private readonly byTrigram = new Map<string, AccountCandidate[]>();
  private readonly keys = new Map<string, string>();
  private readonly registrable = new Map<string, string | null>();

  constructor(accounts: Iterable<AccountCandidate>) {
    for (const account of accounts) this.add(account);
  }

  add(account: AccountCandidate): void {
    const push = <K>(map: Map<K, AccountCandidate[]>, key: K) => {
      const list = map.get(key);
      if (list) list.push(account);
      else map.set(key, [account]);
    };
    const registrable = account.domain ? registrableDomain(account.domain) : null;
    this.registrable.set(account.id, registrable);
    if (registrable) push(this.byDomain, registrable);
    const key = companyKey(account.name);
    this.keys.set(account.id, key);
    push(this.byKey, key);
    for (const gram of trigrams(key)) push(this.byTrigram, gram);
  }

  match(company: { name: string; domain: string | null }): MatchDecision {
    if (company.domain) {
      const registrable = registrableDomain(company.domain);
      const sameDomain = this.byDomain.get(registrable) ?? [];
      const exact = sameDomain.filter((account) => account.domain === company.domain);
      if (exact.length === 1) return { kind: 'linked', id: exact[0]!.id, rule: 'domain', explanation: `same domain ${company.domain}` };
      if (sameDomain.length === 1)
        return { kind: 'linked', id: sameDomain[0]!.id, rule: 'domain', explanation: `same registrable domain ${registrable}` };
      if (sameDomain.length > 1)
        return {
          kind: 'review',
          candidates: sameDomain.map((a) => a.id),
          rule: 'domain',
          explanation: `${sameDomain.length} accounts under ${registrable}`,
        };
    }
    // A name links only accounts whose domain does not say they are another company.
    const theirs = company.domain ? registrableDomain(company.domain) : null;
    const compatible = (account: AccountCandidate) => !theirs || !account.domain || this.registrable.get(account.id) === theirs;
    const key = companyKey(company.name);
    const sameName = (this.byKey.get(key) ?? []).filter(compatible);
    if (sameName.length === 1)
      return { kind: 'linked', id: sameName[0]!.id, rule: 'name', explanation: `same name once normalised ("${key}")` };
    if (sameName.length > 1)
      return {
        kind: 'review',
        candidates: sameName.map((a) => a.id),
        rule: 'name',
        explanation: `${sameName.length} accounts named "${key}" once normalised`,
      };

    const shared = new Map<AccountCandidate, number>();
    let considered = 0;
    for (const gram of trigrams(key)) {
      const postings = this.byTrigram.get(gram);
      if (!postings || postings.length > MAX_POSTINGS) continue;
      considered += 1;
      for (const account of postings) shared.set(account, (shared.get(account) ?? 0) + 1);
    }
    // One edit changes at most three trigrams, so names within the threshold share at least this many.
    const needed = Math.max(1, considered - 3 * Math.floor((1 - FUZZY_THRESHOLD) * key.length + 1));
    // "Energie 83" and "Energie 84" are two companies, however alike: numbers must agree exactly.
    const digits = (value: string) => value.replace(/\D+/g, ' ').trim();
    const ourDigits = digits(key);
    const close: Array<{ account: AccountCandidate; score: number }> = [];
    for (const [account, count] of shared) {
      if (count < needed || !compatible(account) || digits(this.keys.get(account.id)!) !== ourDigits) continue;
      const score = similarity(key, this.keys.get(account.id)!);
      if (score >= FUZZY_THRESHOLD) close.push({ account, score });
    }
    if (close.length === 1) {
      const [{ account, score }] = close as [{ account: AccountCandidate; score: number }];
      return {
        kind: 'linked',
        id: account.id,
        rule: 'fuzzy_name',
        explanation: `name ${Math.round(score * 100)} % similar to "${account.name}"`,
      };
    }
    if (close.length > 1)
      return {
        kind: 'review',
        candidates: close.map((c) => c.account.id),
        rule: 'fuzzy_name',
        explanation: `${close.length} accounts with names at least ${FUZZY_THRESHOLD * 100} % similar`,
      };
    return { kind: 'none' };
  }
}
