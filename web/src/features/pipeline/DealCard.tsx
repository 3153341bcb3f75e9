import { STAGE_LABELS, STAGES } from '../records/stages.ts';
import { money, type Deal } from './currencyTotals.ts';

export function DealCard({ deal, onMove }: { deal: Deal; onMove: (stage: Deal['stage']) => void }) {
  return (
    <article className="card" draggable onDragStart={(event) => event.dataTransfer.setData('text/plain', deal.id)} data-id={deal.id}>
      <a href={`#/opportunities/${deal.id}`} className="wrap">
        {deal.name}
      </a>
      <div className="muted">
        {money(deal.amount, deal.currency)}
        {deal.expectedCloseDate && ` · closes ${deal.expectedCloseDate}`}
      </div>
      <select aria-label={`Stage of ${deal.name}`} value={deal.stage} onChange={(event) => onMove(event.target.value as Deal['stage'])}>
        {STAGES.map((option) => (
          <option key={option} value={option}>
            {STAGE_LABELS[option]}
          </option>
        ))}
      </select>
    </article>
  );
}
