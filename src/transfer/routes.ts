import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { callerOf } from '../auth/guard.ts';
import { AppError, badRequest } from '../http/errors.ts';
import { EXPORT_OBJECTS, exportFilters, exportRecords } from './export.ts';
import { IMPORT_FIELDS, IMPORT_OBJECTS, importCsv, ON_DUPLICATE } from './import.ts';
import { DELIMITERS, type DelimiterName } from './import-text.ts';
import { getImportRun, listImportRuns } from './import-runs.ts';
import { importReport, importRunView } from './schema.ts';
import { idParam } from '../shared/fields.ts';
import { pageOf, pageQuery } from '../http/pagination.ts';

const CSV_TYPES = ['text/csv', 'application/csv'];
const unsupported = (message: string) => new AppError(415, 'unsupported_media_type', message);

/** "Column=field,Other column=field" or a JSON object, as given to --map on the command line. */
export function parseMapping(raw: string | undefined): Record<string, string> | undefined {
  if (!raw) return undefined;
  if (raw.trim().startsWith('{')) {
    try {
      const parsed = z.record(z.string(), z.string()).parse(JSON.parse(raw));
      return parsed;
    } catch {
      throw badRequest('map must be a JSON object of column names to fields', { field: 'map' });
    }
  }
  const mapping: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    const at = pair.lastIndexOf('=');
    if (at <= 0) throw badRequest(`map entry "${pair}" is not Column=field`, { field: 'map' });
    mapping[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return mapping;
}

export function transferRoutes(fastify: FastifyInstance, app: AppContext): void {
  // CSV bodies reach the import handler as a stream, never buffered whole.
  fastify.addContentTypeParser(['text/csv', 'application/csv'], (_request, payload, done) => done(null, payload));
  const r = fastify.withTypeProvider<ZodTypeProvider>();

  r.post('/imports/:object', {
    config: { access: 'crm.import' },
    bodyLimit: 2 * 1024 * 1024 * 1024,
    schema: {
      tags: ['import and export'],
      summary: 'Import a CSV file of contacts, accounts, leads or opportunities',
      description:
        'Send the file as the body with Content-Type text/csv. Columns are matched to fields by header name ' +
        `(${Object.entries(IMPORT_FIELDS)
          .map(([object, fields]) => `${object}: ${fields.join(', ')}`)
          .join('; ')}) or by map. ` +
        'Records matching an existing one (contacts and leads by email, accounts by domain, deals by name and account) are skipped, so re-running a file is safe, or updated (onDuplicate). ' +
        'Encoding (UTF-8 with or without BOM, UTF-16, Windows-1252, …) and delimiter (, ; tab |) are detected and reported under format. ' +
        'A value that fails its check is left out and reported per line (leftOut) unless strict; rows that still fail are reported by line number and never stop the good ones; blank rows and report footers are skipped.',
      params: z.object({ object: z.enum(IMPORT_OBJECTS) }),
      querystring: z.object({
        fileName: z.string().trim().min(1).max(255).default('upload.csv').describe('Recorded as the provenance of every imported record'),
        dryRun: z
          .enum(['true', 'false'])
          .default('false')
          .transform((value) => value === 'true'),
        map: z
          .string()
          .max(4000)
          .optional()
          .describe('Column=field pairs, comma-separated, or a JSON object; a column mapped to "" is left out'),
        resumes: z
          .string()
          .uuid()
          .optional()
          .describe('An interrupted import (GET /imports) of this same file: the rows it went through are skipped and its totals carried'),
        encoding: z
          .string()
          .trim()
          .max(40)
          .optional()
          .describe("The file's encoding (utf-8, utf-16le, windows-1252, …); detected when absent"),
        delimiter: z
          .enum(Object.keys(DELIMITERS) as [DelimiterName, ...DelimiterName[]])
          .optional()
          .describe('comma, semicolon, tab or pipe; detected when absent'),
        strict: z
          .enum(['true', 'false'])
          .default('false')
          .transform((value) => value === 'true')
          .describe('Fail a row with any invalid value instead of importing it without that value'),
        onDuplicate: z
          .enum(ON_DUPLICATE)
          .default('skip')
          .describe(
            "A row matching an existing record: skip it, update (the file's non-empty values written over the record's) or fill-empty (only the record's blank fields filled); matched lists each such line and its record",
          ),
        importId: z
          .string()
          .uuid()
          .optional()
          .describe(
            'An id for the run, chosen by the client, to follow its progress with GET /imports/{id} while the request is under way',
          ),
        includeRows: z
          .enum(['true', 'false'])
          .default('false')
          .transform((value) => value === 'true')
          .describe("Each failed row's cells are returned with its errors, for a report of the failing lines"),
      }),
      response: { 200: importReport },
    },
    handler: async (request) => {
      const type = String(request.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim()
        .toLowerCase();
      if (!CSV_TYPES.includes(type) || typeof (request.body as Readable | undefined)?.pipe !== 'function') {
        throw unsupported('Send the file with Content-Type: text/csv.');
      }
      if (!/\.csv$/i.test(request.query.fileName)) throw unsupported('Only .csv files can be imported.');
      return importCsv(app, callerOf(request), request.body as Readable, {
        object: request.params.object,
        fileName: request.query.fileName,
        dryRun: request.query.dryRun,
        mapping: parseMapping(request.query.map),
        resumes: request.query.resumes,
        encoding: request.query.encoding,
        delimiter: request.query.delimiter,
        strict: request.query.strict,
        onDuplicate: request.query.onDuplicate,
        importId: request.query.importId,
        includeRows: request.query.includeRows,
      });
    },
  });

  r.get('/imports', {
    config: { access: 'crm.import' },
    schema: {
      tags: ['import and export'],
      summary: 'Imports, newest first: how far each got, and whether it finished or was interrupted (and can be resumed)',
      querystring: pageQuery,
      response: { 200: pageOf(importRunView) },
    },
    handler: async (request) => listImportRuns(app, callerOf(request), request.query),
  });

  r.get('/imports/:id', {
    config: { access: 'crm.import', resource: 'import_run' },
    schema: {
      tags: ['import and export'],
      summary: 'One import run as its batches commit: rows gone through, created, updated, failed so far',
      params: idParam,
      response: { 200: importRunView },
    },
    handler: async (request) => getImportRun(app, callerOf(request), request.params.id),
  });

  r.get('/exports/:object', {
    config: { access: 'crm.export' },
    schema: {
      tags: ['import and export'],
      summary:
        'Export every record you can see, as CSV or JSON (streamed). People always pass the consent gate: with purposeId only those it allows for that purpose; without, an internal export that leaves restricted people out. Contacts and leads carry objectedToMarketing and suppressed',
      description:
        "Takes the filters and sort of the object's list (GET /contacts, /leads, /accounts, /opportunities: q, ownerId, country, stage, …), so a list exports as it is shown.",
      params: z.object({ object: z.enum(EXPORT_OBJECTS) }),
      querystring: z
        .object({
          format: z.enum(['csv', 'json']).default('csv'),
          purposeId: z
            .string()
            .uuid()
            .optional()
            .describe(
              'Export for this purpose (e.g. marketing): refused people are left out and recorded. Without it: an internal export (restricted people left out)',
            ),
        })
        .catchall(z.string()),
    },
    handler: async (request, reply) => {
      const { object } = request.params;
      const { format, purposeId, ...filters } = request.query;
      const stream = await exportRecords(app, callerOf(request), object, format, purposeId, exportFilters(object, filters));
      const stamp = new Date().toISOString().slice(0, 10);
      reply.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="${object}-${stamp}.${format}"`);
      return reply.send(stream);
    },
  });
}
