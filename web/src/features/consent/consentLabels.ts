import type { Schemas } from '../../api/client.ts';

export const BASIS_LABELS: Record<Schemas['Purpose']['legalBasis'], string> = {
  consent: 'Consent',
  contract: 'Contract',
  legitimate_interest: 'Legitimate interest',
  legal_obligation: 'Legal obligation',
};

/** What processing rests on for the person, as the gate decided it. */
export const GROUND_LABELS: Record<NonNullable<Schemas['ConsentState']['basis']>, string> = {
  consent: 'their consent',
  soft_opt_in: 'soft opt-in (existing customer)',
  b2b_exception: 'B2B exception',
  opt_out_regime: 'opt-out law: until they say no',
  legal_basis: 'the legal basis',
};

export const JURISDICTION_NAMES: Record<Schemas['ResolvedJurisdiction']['jurisdiction'], string> = {
  gdpr: 'GDPR (EU/EEA)',
  uk_gdpr: 'UK GDPR',
  ccpa: 'CCPA/CPRA (California)',
  lgpd: 'LGPD (Brazil)',
};

export const JURISDICTION_SOURCES: Record<Schemas['ResolvedJurisdiction']['source'], string> = {
  override: 'set by staff',
  residence: 'from country and region',
  workspace_default: 'workspace default',
};
