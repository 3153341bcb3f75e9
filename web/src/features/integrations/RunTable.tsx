import type { Schemas } from '../../api/client.ts';
import { inOrder } from './inOrder.ts';

const COUNTS = ['fetched', 'created', 'updated', 'unchanged', 'deleted', 'failed'] as const;

/** A sync run's counts per object. */
export function RunTable({ run, order }: { run: Schemas['Run']; order: string[] }) {
  return (
    <div className="table-scroll">
      <table aria-label="Last run">
        <thead>
          <tr>
            <th>Object</th>
            {COUNTS.map((count) => (
              <th key={count}>{count}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {inOrder(run.stats, order).map(([object, counts]) => (
            <tr key={object}>
              <td>{object}</td>
              {COUNTS.map((count) => (
                <td key={count}>{counts[count]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
