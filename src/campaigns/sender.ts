import type { Tx } from '../db/tenant.ts';
import { AppError } from '../http/errors.ts';

/**
 * Who a campaign e-mail is from: the workspace's own name, address and postal address, never the
 * installation's. A commercial communication must identify the person on whose behalf it is made
 * (Directive 2000/31/EC Art. 6(b)), must not disguise the sender and must give a valid address
 * for opting out (ePrivacy Directive Art. 13(4), PECR reg. 23), and must carry a valid physical
 * postal address (CAN-SPAM, 15 U.S.C. 7704(a)(5)(A)(iii)).
 */
export interface SenderIdentity {
  name: string;
  email: string;
  postalAddress: string;
}

const FIELDS = { senderName: 'sender_name', senderEmail: 'sender_email', postalAddress: 'postal_address' } as const;

export async function senderIdentity(tx: Tx, tenantId: string): Promise<SenderIdentity | { missing: string[] }> {
  const row = await tx
    .selectFrom('tenants')
    .select(['sender_name', 'sender_email', 'postal_address'])
    .where('id', '=', tenantId)
    .executeTakeFirstOrThrow();
  const missing = Object.entries(FIELDS)
    .filter(([, column]) => !row[column])
    .map(([field]) => field);
  if (missing.length > 0) return { missing };
  return { name: row.sender_name!, email: row.sender_email!, postalAddress: row.postal_address! };
}

/** The sender identity, or a 422 naming what an Administrator still has to set. */
export async function requireSenderIdentity(tx: Tx, tenantId: string): Promise<SenderIdentity> {
  const identity = await senderIdentity(tx, tenantId);
  if ('missing' in identity) {
    throw new AppError(
      422,
      'sender_identity_required',
      `Campaign e-mails must say who sends them and give a postal address: an Administrator sets ${identity.missing.join(', ')} in the workspace settings (PATCH /api/v1/workspace) before a first send.`,
      { missing: identity.missing },
    );
  }
  return identity;
}
