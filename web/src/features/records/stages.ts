import type { Schemas } from '../../api/client.ts';

export type Stage = Schemas['Opportunity']['stage'];

export const STAGES: readonly Stage[] = ['prospecting', 'qualification', 'proposal', 'negotiation', 'closed_won', 'closed_lost'];
export const STAGE_LABELS: Record<Stage, string> = {
  prospecting: 'Prospecting',
  qualification: 'Qualification',
  proposal: 'Proposal',
  negotiation: 'Negotiation',
  closed_won: 'Won',
  closed_lost: 'Lost',
};
