import { useState, type DragEvent } from 'react';
import { STAGE_LABELS } from '../records/stages.ts';
import { currencyTotals, money, type Deal } from './currencyTotals.ts';
import { DealCard } from './DealCard.tsx';

/** One stage: its count and per-currency totals; closed stages start folded (they only grow). */
export function StageColumn({
  stage,
  deals,
  onMove,
}: {
  stage: Deal['stage'];
  deals: Deal[];
  onMove: (id: string, stage: Deal['stage']) => void;
}) {
  const closed = stage === 'closed_won' || stage === 'closed_lost';
  const [folded, setFolded] = useState(closed);
  const [over, setOver] = useState(false);
  const totals = currencyTotals(deals);
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    const id = event.dataTransfer.getData('text/plain');
    if (id) onMove(id, stage);
  };
  return (
    <section
      className={`stage${over ? ' over' : ''}${folded ? ' folded' : ''}`}
      aria-label={STAGE_LABELS[stage]}
      data-stage={stage}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      <h2>
        {STAGE_LABELS[stage]} <span className="muted">({deals.length})</span>
      </h2>
      <ul className="stage-totals" aria-label={`Totals of ${STAGE_LABELS[stage]}`}>
        {totals.map((total) => (
          <li key={total.currency}>{money(total.amount, total.currency)}</li>
        ))}
      </ul>
      {closed && (
        <button type="button" className="link" aria-expanded={!folded} onClick={() => setFolded(!folded)}>
          {folded ? `Show ${deals.length} ${deals.length === 1 ? 'deal' : 'deals'}` : 'Fold'}
        </button>
      )}
      {!folded && (
        <div className="stage-cards">
          {deals.map((deal) => (
            <DealCard key={deal.id} deal={deal} onMove={(next) => onMove(deal.id, next)} />
          ))}
        </div>
      )}
    </section>
  );
}
