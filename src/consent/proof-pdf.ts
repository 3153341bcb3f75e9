import { PROFILES, type Jurisdiction } from '../jurisdiction/profiles.ts';
import PDFDocument from 'pdfkit';

interface ProofDocument {
  controller: string;
  generatedAt: string;
  person: { type: string; id: string; firstName: string | null; lastName: string | null; emails: string[] };
  restricted: boolean;
  suppressed: boolean;
  jurisdiction: { jurisdiction: string; source: string };
  saleSharing: { optedOut: boolean; since: string; source: string | null } | null;
  states: Array<{
    purposeName: string;
    purposeKey: string;
    legalBasis: string;
    state: string;
    since: string | null;
    validUntil: string | null;
  }>;
  history: Array<{
    occurredAt: string;
    purposeKey: string | null;
    kind: string;
    method: string;
    source: string | null;
    ip: string | null;
    userAgent: string | null;
    formId: string | null;
    formVersion: number | null;
    policyVersion: string | null;
    textHash: string | null;
    text: string | null;
    actorType: string;
  }>;
}

/** The proof-of-consent export as a PDF: the same content as the JSON, laid out to be read. */
export function proofPdf(proof: ProofDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: 'Proof of consent', Author: proof.controller } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    const name = [proof.person.firstName, proof.person.lastName].filter(Boolean).join(' ') || '(name not held)';
    doc.fontSize(18).text('Proof of consent');
    doc.moveDown(0.5).fontSize(10);
    doc.text(`Controller: ${proof.controller}`);
    doc.text(`Person: ${name} (${proof.person.type} ${proof.person.id})`);
    doc.text(`Email: ${proof.person.emails.join(', ') || '-'}`);
    doc.text(`Generated: ${proof.generatedAt}`);
    doc.text(`Processing restricted: ${proof.restricted ? 'yes' : 'no'}; on suppression list: ${proof.suppressed ? 'yes' : 'no'}`);
    doc.text(
      `Jurisdiction: ${PROFILES[proof.jurisdiction.jurisdiction as Jurisdiction]?.name ?? proof.jurisdiction.jurisdiction} (${proof.jurisdiction.source.replace('_', ' ')})`,
    );
    doc.text(
      `Sale and sharing: ${proof.saleSharing ? `${proof.saleSharing.optedOut ? 'opted out' : 'opted back in'} since ${proof.saleSharing.since}${proof.saleSharing.source ? ` (${proof.saleSharing.source})` : ''}` : 'no choice recorded'}`,
    );

    doc.moveDown().fontSize(13).text('Current state per purpose');
    doc.fontSize(10);
    for (const state of proof.states) {
      doc.text(
        `${state.purposeName} (${state.purposeKey}, ${state.legalBasis}): ${state.state}${state.since ? ` since ${state.since}` : ''}${state.validUntil ? `, valid until ${state.validUntil}` : ''}`,
      );
    }

    doc.moveDown().fontSize(13).text('Ledger');
    for (const event of proof.history) {
      doc
        .moveDown(0.5)
        .fontSize(10)
        .text(`${event.occurredAt}  ${event.purposeKey ?? 'sale and sharing'}: ${event.kind} (${event.method}, by ${event.actorType})`);
      doc.fontSize(8);
      const facts = [
        event.source ? `source ${event.source}` : null,
        event.formId ? `form ${event.formId} v${event.formVersion}` : null,
        event.policyVersion ? `privacy policy ${event.policyVersion}` : null,
        event.ip ? `IP ${event.ip}` : null,
        event.userAgent ? `browser ${event.userAgent}` : null,
        event.textHash ? `text SHA-256 ${event.textHash}` : null,
      ].filter(Boolean);
      if (facts.length > 0) doc.text(facts.join('; '));
      if (event.text) doc.text(`Text shown: "${event.text}"`);
    }
    doc.end();
  });
}
