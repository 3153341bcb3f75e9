import { useState } from 'react';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { OwnerFilter } from '../members/OwnerFilter.tsx';
import { ActivityChart } from './ActivityChart.tsx';
import { ConversionChart } from './ConversionChart.tsx';
import { PipelineChart } from './PipelineChart.tsx';
import { useSalesDashboard, type DashboardQuery } from './useSalesDashboard.ts';
import { WonLostChart } from './WonLostChart.tsx';

/** The sales dashboard: four charts over what the member may see, for an owner and a period. */
export function SalesDashboardPage() {
  const [query, setQuery] = useState<DashboardQuery>({});
  const [showTables, setShowTables] = useState(false);
  const { dashboard, error } = useSalesDashboard(query);
  const set = (key: keyof DashboardQuery, value: string) => {
    const { [key]: _dropped, ...rest } = query;
    setQuery(value ? { ...rest, [key]: value } : rest);
  };
  return (
    <main>
      <header className="page-header">
        <h1>Sales dashboard</h1>
        <label className="inline">
          <input type="checkbox" checked={showTables} onChange={(event) => setShowTables(event.target.checked)} /> Show the numbers as
          tables
        </label>
      </header>
      <fieldset className="filters">
        <legend>Filters</legend>
        <span className="filter">
          <label htmlFor="dashboard-owner">Owner</label>
          <OwnerFilter
            id="dashboard-owner"
            value={query.ownerId ?? ''}
            onChange={(next) => set('ownerId', next)}
            anyone="Everyone I can see"
          />
        </span>
        <span className="filter">
          <label htmlFor="dashboard-from">From</label>
          <input
            id="dashboard-from"
            type="date"
            value={query.from ?? dashboard?.period.from ?? ''}
            onChange={(event) => set('from', event.target.value)}
          />
        </span>
        <span className="filter">
          <label htmlFor="dashboard-to">To</label>
          <input
            id="dashboard-to"
            type="date"
            value={query.to ?? dashboard?.period.to ?? ''}
            onChange={(event) => set('to', event.target.value)}
          />
        </span>
      </fieldset>
      <ErrorMessage error={error} />
      {dashboard && (
        <div className="dashboard">
          <PipelineChart rows={dashboard.pipeline} showTable={showTables} />
          <WonLostChart months={dashboard.months} showTable={showTables} />
          <ActivityChart rows={dashboard.activities} showTable={showTables} />
          <ConversionChart conversion={dashboard.conversion} showTable={showTables} />
        </div>
      )}
    </main>
  );
}
