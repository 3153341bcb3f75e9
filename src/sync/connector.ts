import type { ConnectorKind, SyncRecordType } from '../db/types-sync.ts';
import type { Credentials, HttpStats } from './http.ts';

/**
 * What every connector provides: its object mappings (external object ↔ internal record type),
 * paging through everything, paging through what changed since an instant, the deletions since an
 * instant, and the writes a push needs. Paging cursors are opaque strings the engine stores in
 * its checkpoint; the connector maps external fields to internal ones (src/sync/schema.ts checks
 * them), so the engine knows nothing of any vendor.
 */

/** One external object, its fields already named as the internal record's. */
export interface ExternalRecord {
  id: string;
  /** When the external system last changed it (ISO 8601), when it says. */
  updatedAt: string | null;
  fields: Record<string, unknown>;
}

export interface RecordPage {
  records: ExternalRecord[];
  /** Deletions seen on the same page, for APIs that report them among the changes (Pipedrive's recents). */
  deletedIds?: string[];
  /** The cursor of the next page; null when this was the last. */
  next: string | null;
}

export interface DeletionPage {
  ids: string[];
  next: string | null;
}

export interface ObjectMapping {
  /** The external object's name, as the vendor spells it. */
  object: string;
  recordType: SyncRecordType;
}

export interface Connector {
  readonly kind: ConnectorKind;
  /** Every object the connector can sync, in dependency order (companies before the people in them). */
  readonly mappings: readonly ObjectMapping[];
  readonly stats: HttpStats;
  /**
   * A snapshot connector (a CSV drop) lists every live object as its changes; what a complete
   * listing no longer holds was deleted there, and the engine finds that itself.
   */
  readonly snapshot?: boolean;
  /** Objects this connector lists whole in every run, because the vendor keeps no trace of their deletions (Pipedrive's leads). */
  readonly snapshotObjects?: readonly string[];
  /** For a snapshot connector: why its export of the object cannot be trusted now (missing, unreadable), or null. */
  snapshotProblem?(object: string): Promise<string | null>;
  /**
   * How many days back the vendor's deletion log reaches (Salesforce: 15); a connection idle for
   * longer reconciles instead of trusting it. Unset: the log is taken to reach back far enough.
   */
  readonly deletionWindowDays?: number;
  listAll(object: string, cursor: string | null): Promise<RecordPage>;
  /** Every live external id of the object, for a reconciliation; without it, listAll serves. */
  listIds?(object: string, cursor: string | null): Promise<DeletionPage>;
  listChanged(object: string, since: Date, cursor: string | null): Promise<RecordPage>;
  listDeleted(object: string, since: Date, cursor: string | null): Promise<DeletionPage>;
  get(object: string, id: string): Promise<ExternalRecord | null>;
  create(object: string, fields: Record<string, unknown>): Promise<ExternalRecord>;
  update(object: string, id: string, fields: Record<string, unknown>): Promise<ExternalRecord>;
  remove(object: string, id: string): Promise<void>;
  /** An erasure (Art. 17) carried into the vendor: as permanent as its API allows, and what that means. */
  erase(object: string, id: string): Promise<ErasureReceipt>;
  /**
   * An objection to direct marketing (Art. 21(2)-(3)) carried into the vendor: the person is
   * unsubscribed from its marketing in whatever form the vendor keeps that; the answer says which.
   */
  optOut(object: string, id: string): Promise<RightsReceipt>;
  /**
   * The people the vendor holds under an e-mail address, among the objects given (Art. 15 across
   * the CRMs: matched by the same identifier, whether or not a sync ever linked them).
   */
  findByEmail?(email: string, objects: readonly string[]): Promise<Array<{ object: string; record: ExternalRecord }>>;
}

/** What a connected CRM did with a rectification or an objection (Art. 19, Art. 21(3)), in words. */
export interface RightsReceipt {
  answer: string;
}

/** What a connected CRM did with an erased person's record (Art. 19: the recipient was told). */
export interface ErasureReceipt {
  method: 'gdpr_delete' | 'hard_delete' | 'delete';
  /** false: the vendor keeps deleted records restorable for a while. */
  permanent: boolean;
  note: string;
}

export interface ConnectorSettings {
  baseUrl: string;
  /** For file-based connectors: the directory their folder must lie in. */
  dropRoot?: string;
  credentials: Credentials;
  /** Stores credentials the connector rotated (a refreshed OAuth token pair). */
  onCredentials: (credentials: Credentials) => Promise<void>;
  /** Whether an API root a token response names may be called (the installation's allowed hosts). */
  acceptApiRoot?: (root: string) => Promise<boolean>;
  /** Tests: no real waiting between retries. */
  sleep?: (ms: number) => Promise<void>;
}

/** Whether a complete listing of the object is what tells its deletions. */
export function listsWhole(connector: Connector, object: string): boolean {
  return connector.snapshot === true || (connector.snapshotObjects?.includes(object) ?? false);
}

export function mappingOf(connector: Connector, object: string): ObjectMapping {
  const mapping = connector.mappings.find((candidate) => candidate.object === object);
  if (!mapping) throw new Error(`The ${connector.kind} connector has no object "${object}"`);
  return mapping;
}
