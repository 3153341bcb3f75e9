import type { BodyOf } from '../../api/client.ts';

export type RetentionTarget = BodyOf<'/api/v1/retention-rules'>['target'];

export const TARGET_LABELS: Record<RetentionTarget, string> = {
  contact: 'contacts',
  lead: 'leads',
  opportunity: 'closed-lost opportunities',
  consent_history: 'consent history of erased people',
  email_message: 'email copies',
  portal_link: 'portal links',
  dsr_request: 'closed data subject requests',
};
