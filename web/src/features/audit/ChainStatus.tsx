import { useQuery } from '@tanstack/react-query';
import { client, unwrap } from '../../api/client.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { dateTime } from '../../ui/labels.ts';

/** The hash chain recomputed on the server: intact, or the first broken link and why. */
export function ChainStatus() {
  const verify = useQuery({
    queryKey: ['audit-events', 'verify'],
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/audit-events/verify', { signal })),
  });
  if (verify.error) return <ErrorMessage error={verify.error} />;
  if (!verify.data) return <p className="muted">Verifying the chain…</p>;
  const { ok, events, brokenAt, anchoredAt } = verify.data;
  return ok ? (
    <p className="notice ok" role="status" data-chain="intact">
      Chain intact: {events} events verified
      {anchoredAt ? `, matching the signed head of event ${anchoredAt.seq} kept outside the database (${dateTime(anchoredAt.at)})` : ''}.
    </p>
  ) : (
    <p className="notice" role="alert" data-chain="broken">
      Chain broken at event {brokenAt?.seq}: {brokenAt?.reason}. Events from there on cannot be trusted as recorded; report it as an
      incident.
    </p>
  );
}
