import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { byId, client, unwrap, type Schemas } from '../../api/client.ts';
import { usePageData } from '../../api/usePageData.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { usePurposes } from '../consent/usePurposes.ts';
import { CampaignExclusions } from './CampaignExclusions.tsx';
import { CampaignRow } from './CampaignRow.tsx';
import { MarketingSettings } from './MarketingSettings.tsx';
import { NewCampaignForm } from './NewCampaignForm.tsx';
import { RepermissionForm } from './RepermissionForm.tsx';
import { SegmentsPanel } from './SegmentsPanel.tsx';
import { TemplatesPanel } from './TemplatesPanel.tsx';

const SEND_PROGRESS_EVERY_MS = 2000;

/** Campaigns and re-permission runs, with segments and templates to build them from. */
export function CampaignsPage() {
  const { purposes } = usePurposes();
  const { data, error, act, run } = usePageData(['campaigns'], async (signal) => ({
    segments: (await unwrap(client.GET('/api/v1/segments', { signal }))).items,
    templates: (await unwrap(client.GET('/api/v1/email-templates', { signal }))).items,
  }));
  // Read apart from segments and templates: while a send runs, only its progress is asked for again.
  const campaigns = useQuery({
    queryKey: ['campaigns', 'list'],
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/campaigns', { signal })),
    refetchInterval: (query) => (query.state.data?.items.some((c) => c.status === 'sending') ? SEND_PROGRESS_EVERY_MS : false),
  });
  const [previews, setPreviews] = useState<Record<string, Schemas['CampaignPreview']>>({});
  const [showing, setShowing] = useState<string | null>(null);
  const items = campaigns.data?.items ?? [];
  const shown = items.find((c) => c.id === showing);
  const shownReasons = Object.keys(shown?.excluded ?? (showing ? previews[showing]?.excluded : undefined) ?? {});

  return (
    <main className="wide">
      <h1>Campaigns</h1>
      <ErrorMessage error={error ?? campaigns.error} />
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Campaign</th>
              <th>Purpose</th>
              <th>Status</th>
              <th>Sent</th>
              <th>Excluded by the gate</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <CampaignRow
                key={c.id}
                campaign={c}
                purposeName={purposes.find((p) => p.id === c.purposeId)?.name ?? ''}
                preview={previews[c.id]}
                showingExclusions={showing === c.id}
                onPreview={act(async () => {
                  const preview = await unwrap(client.GET('/api/v1/campaigns/{id}/preview', { ...byId(c.id) }));
                  setPreviews((current) => ({ ...current, [c.id]: preview }));
                })}
                onSend={act(() => unwrap(client.POST('/api/v1/campaigns/{id}/send', byId(c.id))))}
                onStop={act(() => unwrap(client.POST('/api/v1/campaigns/{id}/stop', byId(c.id))))}
                onToggleExclusions={() => setShowing(showing === c.id ? null : c.id)}
              />
            ))}
          </tbody>
        </table>
      </div>
      {showing && (
        <CampaignExclusions campaignId={showing} reasons={[...new Set(shownReasons.map((key) => key.replace(/_during_send$/, '')))]} />
      )}
      <div className="columns">
        <NewCampaignForm
          purposes={purposes}
          segments={data?.segments ?? []}
          templates={data?.templates ?? []}
          onSubmit={(campaign) => run(() => unwrap(client.POST('/api/v1/campaigns', { body: campaign })))}
        />
        <MarketingSettings />
      </div>
      <div className="columns">
        <RepermissionForm
          purposes={purposes}
          templates={data?.templates ?? []}
          onSubmit={(campaign) => run(() => unwrap(client.POST('/api/v1/repermission-campaigns', { body: campaign })))}
        />
      </div>
      <div className="columns">
        <SegmentsPanel
          segments={data?.segments ?? []}
          onSubmit={(segment) => run(() => unwrap(client.POST('/api/v1/segments', { body: segment })))}
        />
        <TemplatesPanel
          templates={data?.templates ?? []}
          onSubmit={(template) => run(() => unwrap(client.POST('/api/v1/email-templates', { body: template })))}
        />
      </div>
    </main>
  );
}
