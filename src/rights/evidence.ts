import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import type { AuditOrigin } from '../audit/service.ts';
import type { Tx } from '../db/tenant.ts';

/** One line of a request's evidence, sealed under the request's key; what a request did, in order. */
export async function addEvidence(
  app: AppContext,
  tx: Tx,
  tenantId: string,
  requestId: string,
  kind: 'found' | 'done' | 'sent' | 'note',
  summary: string,
  origin: AuditOrigin,
): Promise<void> {
  await tx
    .insertInto('dsr_evidence')
    .values({
      tenant_id: tenantId,
      request_id: requestId,
      kind,
      summary_enc: await app.keys.encryptField(tx, tenantId, requestId, 'dsr_evidence.summary', summary),
      // Evidence written in one transaction keeps its order (now() is the transaction's start).
      created_at: sql<Date>`clock_timestamp()`,
      actor_type: origin.actorType,
      actor_id: origin.actorId,
    })
    .execute();
}

/** How the evidence says what the connected CRMs are owed (Art. 19). */
export function owedToConnectedCrms(copies: number, what: string): string {
  return copies > 0 ? ` ${what} owed to ${copies} record(s) in connected CRMs; each answer shows on the request as it comes.` : '';
}
