import { client, unwrap } from '../../api/client.ts';
import type { ImportChoices } from './types.ts';

/**
 * Sends the file as the import's body (text/csv, streamed by the server, so not a JSON body the
 * OpenAPI document could describe) with the choices as the query; the answer is the typed report.
 */
export function sendImport(choices: ImportChoices, run: { dryRun: true } | { importId: string }) {
  return unwrap(
    client.POST('/api/v1/imports/{object}', {
      params: {
        path: { object: choices.object },
        query: {
          fileName: choices.file.name,
          onDuplicate: choices.onDuplicate,
          includeRows: 'true',
          encoding: choices.encoding || undefined,
          delimiter: choices.delimiter || undefined,
          map: Object.keys(choices.mapping).length > 0 ? JSON.stringify(choices.mapping) : undefined,
          ...('importId' in run ? { importId: run.importId } : { dryRun: 'true' }),
        },
      },
      // The route declares no JSON body: the file goes as it is.
      body: choices.file as never,
      bodySerializer: (file: Blob | undefined) => file,
      headers: { 'content-type': 'text/csv' },
    }),
  );
}
