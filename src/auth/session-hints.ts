import type { ResolvedSession } from './sessions.ts';

const HINT_TTL_MS = 5 * 60_000;
const HINT_LIMIT = 10_000;

/**
 * The sessions this node resolved lately, by the hash of their cookie. A hint is never trusted
 * on its own: a request authenticated by one carries its confirmation into its first database
 * transaction (see app_session_confirm), so the database still decides, in the request's own
 * transaction, and a node without the hint behaves the same, with one round trip more. That is
 * why this is no state that matters across requests, even with many nodes.
 */
export class SessionHints {
  private readonly hints = new Map<string, { resolved: ResolvedSession; until: number }>();

  get(tokenHash: string): ResolvedSession | undefined {
    const hint = this.hints.get(tokenHash);
    if (!hint) return undefined;
    if (hint.until <= Date.now()) {
      this.hints.delete(tokenHash);
      return undefined;
    }
    return hint.resolved;
  }

  remember(tokenHash: string, resolved: ResolvedSession): void {
    if (this.hints.size >= HINT_LIMIT) {
      const oldest = this.hints.keys().next().value;
      if (oldest !== undefined) this.hints.delete(oldest);
    }
    this.hints.set(tokenHash, { resolved, until: Date.now() + HINT_TTL_MS });
  }

  forget(tokenHash: string): void {
    this.hints.delete(tokenHash);
  }

  /**
   * After a change on this node to what sessions act as (a role, a second factor): the sessions
   * concerned resolve afresh instead of failing their confirmation once. Other nodes learn it
   * from the confirmation.
   */
  forgetAll(of: { userId: string } | { tenantId: string }): void {
    for (const [tokenHash, { resolved }] of this.hints) {
      if ('userId' in of ? resolved.auth.userId === of.userId : resolved.auth.tenantId === of.tenantId) this.hints.delete(tokenHash);
    }
  }
}
