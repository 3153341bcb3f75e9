import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { STAGES } from '../records/stages.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import type { Deal } from './currencyTotals.ts';
import { StageColumn } from './StageColumn.tsx';
import { useMembers } from '../members/useMembers.ts';

const MAX_DEALS = 2000;
/** The API's closingBefore excludes its day; "closing until" includes it. */
const dayAfter = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

interface BoardFilter {
  ownerId: string;
  closingAfter: string;
  closingBefore: string;
}

/** All open and closed deals by stage, filtered by owner and close date, moved by drag or by the stage menu. */
export function PipelineBoard({ memberId }: { memberId: string }) {
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<BoardFilter>({ ownerId: '', closingAfter: '', closingBefore: '' });
  const { members } = useMembers();
  const key = ['opportunities', 'board', filter] as const;
  const deals = useQuery({
    queryKey: key,
    queryFn: async ({ signal }) => {
      const all: Deal[] = [];
      let cursor: string | undefined;
      do {
        const query = {
          limit: 200,
          cursor,
          ownerId: filter.ownerId || undefined,
          closingAfter: filter.closingAfter || undefined,
          closingBefore: filter.closingBefore ? dayAfter(filter.closingBefore) : undefined,
        };
        const page = await unwrap(client.GET('/api/v1/opportunities', { params: { query }, signal }));
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && all.length < MAX_DEALS);
      return { deals: all, truncated: Boolean(cursor) };
    },
  });
  const move = useMutation({
    mutationFn: ({ id, stage }: { id: string; stage: Deal['stage'] }) =>
      unwrap(client.PATCH('/api/v1/opportunities/{id}', { params: { path: { id } }, body: { stage } })),
    // The card moves at once; a refusal puts it back.
    onMutate: async ({ id, stage }) => {
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData<{ deals: Deal[]; truncated: boolean }>(key);
      if (previous)
        queryClient.setQueryData(key, { ...previous, deals: previous.deals.map((deal) => (deal.id === id ? { ...deal, stage } : deal)) });
      return { previous };
    },
    onError: (_error, _move, context) => context?.previous && queryClient.setQueryData(key, context.previous),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['opportunities'] }),
  });
  const set = (field: keyof BoardFilter) => (event: { target: { value: string } }) => setFilter({ ...filter, [field]: event.target.value });
  return (
    <main className="wide">
      <header className="page-header">
        <h1>Pipeline</h1>
        <a className="button" href="#/opportunities/new">
          New opportunity
        </a>
      </header>
      <form className="inline-form" aria-label="Filter the pipeline" onSubmit={(event) => event.preventDefault()}>
        <label>
          Owner
          <select value={filter.ownerId} onChange={set('ownerId')}>
            <option value="">Everyone I can see</option>
            <option value={memberId}>Me</option>
            {members
              .filter((member) => member.id !== memberId && member.status === 'active')
              .map((member) => (
                <option key={member.id} value={member.id}>
                  {member.name}
                </option>
              ))}
          </select>
        </label>
        <label>
          Closing from
          <input type="date" value={filter.closingAfter} onChange={set('closingAfter')} />
        </label>
        <label>
          Closing until
          <input type="date" value={filter.closingBefore} onChange={set('closingBefore')} />
        </label>
      </form>
      <ErrorMessage error={deals.error ?? move.error} />
      {deals.data?.truncated && (
        <p className="notice" role="status">
          Showing the first {MAX_DEALS} deals: narrow the board with the filters.
        </p>
      )}
      <div className="board">
        {STAGES.map((stage) => (
          <StageColumn
            key={stage}
            stage={stage}
            deals={deals.data?.deals.filter((deal) => deal.stage === stage) ?? []}
            onMove={(id, next) => move.mutate({ id, stage: next })}
          />
        ))}
      </div>
    </main>
  );
}
