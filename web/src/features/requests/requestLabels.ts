import type { Schemas } from '../../api/client.ts';

export type Dsr = Schemas['Dsr'];
export type DsrType = Dsr['type'];
export type Channel = Dsr['channel'];

export const REQUEST_TYPES: Record<DsrType, string> = {
  access: 'Access',
  portability: 'Portability',
  rectification: 'Rectification',
  erasure: 'Erasure',
  restriction: 'Restriction',
  objection: 'Objection',
  opt_out_sale_sharing: 'Opt-out of sale or sharing',
  limit_sensitive: 'Limit use of sensitive data',
};

export const CHANNELS: Record<Channel, string> = {
  email: 'e-mail',
  phone: 'phone',
  letter: 'letter',
  in_person: 'in person',
  portal: 'privacy portal',
};

export const JURISDICTION_LABELS: Record<string, string> = { gdpr: 'GDPR', uk_gdpr: 'UK GDPR', ccpa: 'CCPA/CPRA', lgpd: 'LGPD' };

/** The request types the product carries out itself; the others are answered by hand and marked completed. */
export const EXECUTABLE: ReadonlySet<DsrType> = new Set([
  'access',
  'portability',
  'erasure',
  'restriction',
  'objection',
  'opt_out_sale_sharing',
]);
