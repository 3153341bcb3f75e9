import { EEA } from '../shared/countries.ts';

/**
 * Jurisdiction profiles: what each data protection law gives a person and asks of the workspace.
 * One declarative table; the deadline module, the processing gate, the portal, the access
 * report, the register and the breach clocks read it, nothing restates it.
 */

export const JURISDICTIONS = ['gdpr', 'uk_gdpr', 'ccpa', 'lgpd'] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

export type RightKey =
  | 'confirmation'
  | 'access'
  | 'portability'
  | 'rectification'
  | 'erasure'
  | 'restriction'
  | 'objection'
  | 'withdraw_consent'
  | 'opt_out_sale_sharing'
  | 'limit_sensitive'
  | 'information_sharing'
  | 'non_discrimination'
  | 'complaint';

export interface RightDeclaration {
  right: RightKey;
  /** The right's name in the law's own vocabulary, as the person reads it. */
  title: string;
  text: string;
  reference: string;
}

/** A period counted in calendar months (clamped to the month's end), calendar days or business days. */
export type Period = { months: number } | { days: number } | { businessDays: number };

export interface DeadlineRule {
  response: Period;
  /** Added to the response period, once, with a reason told to the person within the first period; null: no extension. */
  extension: Period | null;
  reference: string;
  extensionReference: string | null;
  /** Request types answered within a different period (e.g. the CCPA's opt-out of sale: 15 business days). */
  byType?: Record<string, { response: Period; reference: string }>;
}

export interface BreachClock {
  authority: string;
  /** Elapsed time from awareness to notifying the authority; null when the law sets no fixed period. */
  within: { hours: number } | { businessDays: number } | null;
  text: string;
  reference: string;
}

/**
 * A B2B exception to the opt-in rule that the law of some member states allows, for messages
 * about the recipient's profession to business addresses. Off unless the workspace enables it.
 */
export interface MarketingException {
  key: MarketingExceptionKey;
  title: string;
  /** Residents of these countries (ISO 3166-1 alpha-2) only: the rule is a national one. */
  countries: string[];
  text: string;
  reference: string;
}

export const MARKETING_EXCEPTIONS = ['fr_b2b_professional', 'uk_corporate_subscriber'] as const;
export type MarketingExceptionKey = (typeof MARKETING_EXCEPTIONS)[number];

/**
 * Electronic direct marketing (e-mail is the product's channel), whatever the purpose's legal
 * basis says. opt_in: the person's consent to the purpose, or a soft opt-in where the law has
 * one, or an exception the workspace enabled. opt_out: allowed until the person says no
 * (withdrawn, objected, expired consent, unsubscribed).
 */
export interface MarketingRule {
  regime: 'opt_in' | 'opt_out';
  reference: string;
  /** The existing-customer rule, where the law has one: its reference; null where it has none. */
  softOptIn: string | null;
  exceptions: MarketingException[];
}

export interface JurisdictionProfile {
  key: Jurisdiction;
  name: string;
  law: string;
  authority: string;
  rights: readonly RightDeclaration[];
  deadline: DeadlineRule;
  verification: { text: string; reference: string };
  marketing: MarketingRule;
  /**
   * Selling or sharing personal information: only with the person's consent to that purpose, or
   * allowed until the person opts out. A recorded opt-out is honoured under every profile.
   */
  saleSharing: { regime: 'consent' | 'opt_out'; reference: string };
  breach: BreachClock;
}

const GDPR_RIGHTS = (law: string, authority: string): RightDeclaration[] => [
  {
    right: 'access',
    title: 'Right of access',
    text: 'You may see all the data we hold about you and why (this report).',
    reference: `Art. 15 ${law}`,
  },
  {
    right: 'portability',
    title: 'Right to data portability',
    text: 'You may download the data you gave us in a machine-readable form.',
    reference: `Art. 20 ${law}`,
  },
  { right: 'rectification', title: 'Right to rectification', text: 'You may have inaccurate data corrected.', reference: `Art. 16 ${law}` },
  {
    right: 'erasure',
    title: 'Right to erasure',
    text: 'You may have your data erased, unless we must keep it by law.',
    reference: `Art. 17 ${law}`,
  },
  {
    right: 'restriction',
    title: 'Right to restriction of processing',
    text: 'You may have processing restricted: we then only store your data.',
    reference: `Art. 18 ${law}`,
  },
  {
    right: 'objection',
    title: 'Right to object',
    text: 'You may object to processing based on legitimate interest, and at any time to direct marketing.',
    reference: `Art. 21 ${law}`,
  },
  {
    right: 'withdraw_consent',
    title: 'Right to withdraw consent',
    text: 'You may withdraw any consent at any time, as easily as you gave it.',
    reference: `Art. 7(3) ${law}`,
  },
  { right: 'complaint', title: 'Right to lodge a complaint', text: `You may complain to ${authority}.`, reference: `Art. 77 ${law}` },
];

export const PROFILES: Readonly<Record<Jurisdiction, JurisdictionProfile>> = {
  gdpr: {
    key: 'gdpr',
    name: 'GDPR (EU/EEA)',
    law: 'Regulation (EU) 2016/679 (General Data Protection Regulation)',
    authority: 'a data protection supervisory authority',
    rights: GDPR_RIGHTS('GDPR', 'a data protection supervisory authority, in particular where you live or work'),
    deadline: {
      response: { months: 1 },
      extension: { months: 2 },
      reference: 'Art. 12(3) GDPR',
      extensionReference: 'Art. 12(3) GDPR: two further months where necessary, taking into account the complexity and number of requests',
    },
    verification: {
      text: 'Reasonable measures to verify identity; additional information may be requested only where there are reasonable doubts.',
      reference: 'Art. 12(6) GDPR',
    },
    marketing: {
      regime: 'opt_in',
      reference: "Art. 13(1) ePrivacy Directive 2002/58/EC: electronic mail for direct marketing only with the subscriber's prior consent",
      softOptIn:
        "Art. 13(2) ePrivacy Directive 2002/58/EC: contact details obtained from customers in the context of the sale of a product or service, for the controller's own similar products or services, with a clear and easy refusal offered at collection and on each message",
      exceptions: [
        {
          key: 'fr_b2b_professional',
          title: "France: B2B messages about the recipient's profession",
          countries: ['FR'],
          text: 'Professionals may be sent marketing e-mail without prior consent at their business address when the message concerns their profession, provided they were told their address would be used this way and can object at any time.',
          reference:
            'Art. L.34-5 Code des postes et des communications électroniques; CNIL, « La prospection commerciale par courrier électronique » (prospection B2B)',
        },
      ],
    },
    saleSharing: {
      regime: 'consent',
      reference:
        'Art. 6(1)(a) and 7 GDPR: passing personal data to third parties for their own use needs consent that names them (EDPB Guidelines 05/2020 on consent, para. 65)',
    },
    breach: {
      authority: 'the lead supervisory authority',
      within: { hours: 72 },
      text: 'Notify the supervisory authority without undue delay and within 72 hours of becoming aware; tell the people affected without undue delay when the risk to them is high.',
      reference: 'Art. 33(1) and 34 GDPR',
    },
  },
  uk_gdpr: {
    key: 'uk_gdpr',
    name: 'UK GDPR (United Kingdom)',
    law: 'UK GDPR and the Data Protection Act 2018',
    authority: "the Information Commissioner's Office (ICO)",
    rights: GDPR_RIGHTS('UK GDPR', "the Information Commissioner's Office (ICO)"),
    deadline: {
      response: { months: 1 },
      extension: { months: 2 },
      reference: 'Art. 12(3) UK GDPR',
      extensionReference: 'Art. 12(3) UK GDPR: two further months where the request is complex or one of a number of requests',
    },
    verification: {
      text: 'Reasonable measures to verify identity; the time limit starts once the information needed to confirm identity is received.',
      reference: 'Art. 12(6) UK GDPR; ICO guidance on the right of access',
    },
    marketing: {
      regime: 'opt_in',
      reference:
        'Regulation 22(2) of the Privacy and Electronic Communications Regulations 2003 (PECR): no unsolicited marketing e-mail to individual subscribers without their consent',
      softOptIn:
        "PECR regulation 22(3): details obtained in the course of a sale or negotiations for a sale, marketing of the sender's own similar products and services only, and a simple means of refusing offered at collection and in every message",
      exceptions: [
        {
          key: 'uk_corporate_subscriber',
          title: 'United Kingdom: corporate subscribers',
          countries: ['GB'],
          text: 'The consent rule of PECR regulation 22 protects individual subscribers; marketing e-mail to the business addresses of corporate subscribers (companies, LLPs, public bodies) needs no consent, but must identify the sender and give a valid address for opting out (regulation 23), and UK GDPR still applies (legitimate interest, right to object).',
          reference: 'PECR regulations 22(2) (individual subscribers only) and 23; ICO guidance on business-to-business marketing',
        },
      ],
    },
    saleSharing: {
      regime: 'consent',
      reference:
        'Art. 6(1)(a) and 7 UK GDPR: passing personal data to third parties for their own use needs consent that names them (ICO guidance on consent)',
    },
    breach: {
      authority: "the Information Commissioner's Office",
      within: { hours: 72 },
      text: 'Report a notifiable breach to the ICO within 72 hours of becoming aware of it.',
      reference: 'Art. 33(1) UK GDPR',
    },
  },
  ccpa: {
    key: 'ccpa',
    name: 'CCPA/CPRA (California)',
    law: 'California Consumer Privacy Act of 2018, as amended by the California Privacy Rights Act (Cal. Civ. Code 1798.100 et seq.)',
    authority: 'the California Privacy Protection Agency',
    rights: [
      {
        right: 'access',
        title: 'Right to know',
        text: 'You may know what personal information we collect about you, where from, why, and to whom we disclose it, and get a copy (this report).',
        reference: 'Cal. Civ. Code 1798.110, 1798.115',
      },
      {
        right: 'portability',
        title: 'Right to a portable copy',
        text: 'You may receive the specific pieces of personal information in a portable, readily usable format.',
        reference: 'Cal. Civ. Code 1798.130(a)(3)(B)(iii)',
      },
      {
        right: 'erasure',
        title: 'Right to delete',
        text: 'You may have the personal information we collected from you deleted, with exceptions set by law.',
        reference: 'Cal. Civ. Code 1798.105',
      },
      {
        right: 'rectification',
        title: 'Right to correct',
        text: 'You may have inaccurate personal information corrected.',
        reference: 'Cal. Civ. Code 1798.106',
      },
      {
        right: 'opt_out_sale_sharing',
        title: 'Right to opt out of sale or sharing',
        text: 'You may tell us not to sell or share your personal information. A Global Privacy Control signal from your browser counts as this request.',
        reference: 'Cal. Civ. Code 1798.120, 1798.135; Cal. Code Regs. tit. 11, 7025',
      },
      {
        right: 'limit_sensitive',
        title: 'Right to limit use of sensitive personal information',
        text: 'You may limit the use and disclosure of your sensitive personal information to what is necessary to provide the services you asked for.',
        reference: 'Cal. Civ. Code 1798.121',
      },
      {
        right: 'non_discrimination',
        title: 'Right to non-discrimination',
        text: 'We will not treat you differently for exercising any of these rights.',
        reference: 'Cal. Civ. Code 1798.125',
      },
    ],
    deadline: {
      response: { days: 45 },
      extension: { days: 45 },
      reference: 'Cal. Civ. Code 1798.130(a)(2)(A)',
      extensionReference:
        'Cal. Civ. Code 1798.130(a)(2)(A): once by an additional 45 days when reasonably necessary, with notice within the first 45 days',
      byType: {
        opt_out_sale_sharing: { response: { businessDays: 15 }, reference: 'Cal. Code Regs. tit. 11, 7026(f)(1)' },
        limit_sensitive: { response: { businessDays: 15 }, reference: 'Cal. Code Regs. tit. 11, 7027(g)(1)' },
      },
    },
    verification: {
      text: 'Verify requests to know, delete and correct to a reasonable degree of certainty (a reasonably high degree for specific pieces of information); requests to opt out of sale or sharing and to limit need no verification.',
      reference: 'Cal. Code Regs. tit. 11, 7060-7062, 7026(d), 7027(e)',
    },
    marketing: {
      regime: 'opt_out',
      reference: 'CAN-SPAM Act, 15 U.S.C. 7704(a)(3)-(5): commercial email until the recipient opts out',
      softOptIn: null,
      exceptions: [],
    },
    saleSharing: {
      regime: 'opt_out',
      reference: 'Cal. Civ. Code 1798.120: selling or sharing is allowed until the consumer opts out (opt-in for consumers under 16)',
    },
    breach: {
      authority: 'the California Attorney General (a sample notice when more than 500 residents are affected)',
      within: null,
      text: 'Notify affected California residents in the most expedient time possible and without unreasonable delay; send a sample copy to the Attorney General when more than 500 residents are notified.',
      reference: 'Cal. Civ. Code 1798.82(a), (f)',
    },
  },
  lgpd: {
    key: 'lgpd',
    name: 'LGPD (Brazil)',
    law: 'Lei Geral de Proteção de Dados Pessoais (Lei 13.709/2018)',
    authority: 'the Autoridade Nacional de Proteção de Dados (ANPD)',
    rights: [
      {
        right: 'confirmation',
        title: 'Confirmation of processing',
        text: 'You may have us confirm whether we process data about you.',
        reference: 'Art. 18, I LGPD',
      },
      {
        right: 'access',
        title: 'Access to data',
        text: 'You may see the data we hold about you (this report).',
        reference: 'Art. 18, II and Art. 19 LGPD',
      },
      {
        right: 'rectification',
        title: 'Correction',
        text: 'You may have incomplete, inaccurate or out-of-date data corrected.',
        reference: 'Art. 18, III LGPD',
      },
      {
        right: 'restriction',
        title: 'Anonymisation, blocking or deletion',
        text: 'You may have unnecessary or excessive data, or data processed unlawfully, blocked (we then only store it) or deleted.',
        reference: 'Art. 18, IV LGPD',
      },
      {
        right: 'portability',
        title: 'Portability',
        text: 'You may download your data to take it to another provider.',
        reference: 'Art. 18, V LGPD',
      },
      {
        right: 'erasure',
        title: 'Deletion',
        text: 'You may have data processed with your consent deleted, except where the law allows us to keep it.',
        reference: 'Art. 18, VI and Art. 16 LGPD',
      },
      {
        right: 'information_sharing',
        title: 'Information about sharing',
        text: 'You may know with which public and private entities we shared your data (listed in this report).',
        reference: 'Art. 18, VII LGPD',
      },
      {
        right: 'withdraw_consent',
        title: 'Revocation of consent',
        text: 'You may revoke your consent at any time, free of charge, and be told what follows from not giving it.',
        reference: 'Art. 18, VIII and IX; Art. 8 §5 LGPD',
      },
      {
        right: 'objection',
        title: 'Opposition',
        text: 'You may oppose processing carried out on a basis other than consent when it does not comply with the law, and direct marketing at any time.',
        reference: 'Art. 18 §2 LGPD',
      },
      {
        right: 'complaint',
        title: 'Petition to the authority',
        text: 'You may petition the ANPD about the processing of your data.',
        reference: 'Art. 18 §1 LGPD',
      },
    ],
    deadline: {
      response: { days: 15 },
      extension: null,
      reference: 'Art. 19, II LGPD (complete declaration within 15 days)',
      extensionReference: null,
    },
    verification: {
      text: 'Requests are answered on the express request of the data subject or a legally constituted representative, after confirming identity.',
      reference: 'Art. 18 §3 LGPD',
    },
    marketing: {
      regime: 'opt_in',
      reference: 'Art. 7, I and Art. 8 LGPD (consent as the basis for marketing communications)',
      softOptIn: null,
      exceptions: [],
    },
    saleSharing: {
      regime: 'consent',
      reference: "Art. 7 §5 LGPD: a controller that wants to share data with other controllers needs the person's specific consent for it",
    },
    breach: {
      authority: 'the ANPD',
      within: { businessDays: 3 },
      text: 'Notify the ANPD and the data subjects within three business days of becoming aware of a security incident that may cause relevant risk or damage.',
      reference: 'Art. 48 LGPD; ANPD Resolution CD/ANPD 15/2024, Art. 6',
    },
  },
};

export function profileOf(jurisdiction: Jurisdiction): JurisdictionProfile {
  return PROFILES[jurisdiction];
}

/** The B2B exceptions of every profile, by key. */
export function marketingException(key: MarketingExceptionKey): { jurisdiction: Jurisdiction; exception: MarketingException } {
  for (const profile of Object.values(PROFILES)) {
    const exception = profile.marketing.exceptions.find((candidate) => candidate.key === key);
    if (exception) return { jurisdiction: profile.key, exception };
  }
  throw new Error(`no marketing exception ${key}`);
}

export function hasRight(jurisdiction: Jurisdiction, right: RightKey): boolean {
  return PROFILES[jurisdiction].rights.some((declared) => declared.right === right);
}

/**
 * The profile a place of residence points to, or null when none of the profiles covers it
 * (a US state other than California, a country outside these laws): the workspace default
 * applies then.
 */
export function jurisdictionOfPlace(country: string | null, region: string | null): Jurisdiction | null {
  if (!country) return null;
  const code = country.toUpperCase();
  if (EEA.has(code)) return 'gdpr';
  if (code === 'GB') return 'uk_gdpr';
  if (code === 'BR') return 'lgpd';
  if (code === 'US' && region?.toUpperCase() === 'CA') return 'ccpa';
  return null;
}
