import { Busboy } from '@fastify/busboy';
import type { FastifyInstance } from 'fastify';

/** Small form posts only: a one-click unsubscribe is one field of a few bytes. */
const LIMITS = { fields: 20, fieldSize: 1024, fieldNameSize: 100, files: 0, parts: 20, headerPairs: 20 };
export const FORM_DATA_BODY_LIMIT = 16 * 1024;

function parseWith(body: Buffer, contentType: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const busboy = new Busboy({ headers: { 'content-type': contentType }, limits: LIMITS });
    busboy.on('field', (name, value) => {
      fields[name] = value;
    });
    busboy.on('file', (_name, stream) => stream.resume());
    busboy.on('finish', () => resolve(fields));
    busboy.on('error', reject);
    busboy.end(body);
  });
}

/**
 * The fields of a multipart/form-data body (RFC 7578), parsed by busboy. RFC 8058 §8.3 prints
 * its example with delimiter lines one "-" short of its declared boundary (errata 5117, 8927):
 * a receiver copying it sends a body that parses to nothing, so when that happens the delimiter
 * the body itself opens with is taken as the boundary.
 */
export async function parseFormData(body: Buffer, contentType: string): Promise<Record<string, string>> {
  const declared = await parseWith(body, contentType).catch((error: Error) => error);
  if (!(declared instanceof Error) && Object.keys(declared).length > 0) return declared;
  const firstLine = body.subarray(0, 200).toString('latin1').split(/\r?\n/, 1)[0] ?? '';
  if (!firstLine.startsWith('--') || firstLine.length < 3) {
    if (declared instanceof Error) throw declared;
    return declared;
  }
  return parseWith(body, `multipart/form-data; boundary="${firstLine.slice(2).trim().replace(/"/g, '')}"`);
}

/** Lets the routes of this (encapsulated) Fastify scope take multipart/form-data as a plain object of fields. */
export function acceptFormData(scope: FastifyInstance): void {
  scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: FORM_DATA_BODY_LIMIT }, (request, body, done) => {
    parseFormData(body as Buffer, String(request.headers['content-type'])).then(
      (fields) => done(null, fields),
      (error: Error) => done(Object.assign(new Error(`Malformed multipart/form-data body: ${error.message}`), { statusCode: 400 })),
    );
  });
}
