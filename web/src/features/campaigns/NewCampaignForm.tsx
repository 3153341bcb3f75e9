import { accepted } from '../../api/accepted.ts';
import { useState, type FormEvent } from 'react';
import type { BodyOf, Schemas } from '../../api/client.ts';
import { OptionSelect } from '../../ui/OptionSelect.tsx';
import type { Purpose } from '../consent/usePurposes.ts';

const EMPTY = { name: '', purposeId: '', segmentId: '', templateId: '' };

interface Props {
  purposes: Purpose[];
  segments: Array<Schemas['Segment']>;
  templates: Array<Schemas['Template']>;
  onSubmit(campaign: BodyOf<'/api/v1/campaigns'>): Promise<unknown>;
}

/** A campaign: a segment sent a template for a purpose; every campaign is direct marketing. */
export function NewCampaignForm({ purposes, segments, templates, onSubmit }: Props) {
  const [campaign, setCampaign] = useState(EMPTY);
  // Only purposes declared as direct marketing may carry a campaign.
  const marketingPurposes = purposes.filter((p) => p.status === 'active' && p.directMarketing);
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await accepted(onSubmit(campaign))) setCampaign(EMPTY);
  }
  return (
    <form className="record-form" aria-label="New campaign" onSubmit={(event) => void submit(event)}>
      <h2>New campaign</h2>
      <label>
        <span>Name</span>
        <input required value={campaign.name} onChange={(e) => setCampaign({ ...campaign, name: e.target.value })} />
      </label>
      <OptionSelect
        label="Purpose (direct marketing)"
        value={campaign.purposeId}
        options={marketingPurposes}
        onChange={(purposeId) => setCampaign({ ...campaign, purposeId })}
      />
      <OptionSelect
        label="Segment"
        value={campaign.segmentId}
        options={segments}
        onChange={(segmentId) => setCampaign({ ...campaign, segmentId })}
      />
      <OptionSelect
        label="Template"
        value={campaign.templateId}
        options={templates}
        onChange={(templateId) => setCampaign({ ...campaign, templateId })}
      />
      <div className="actions">
        <button type="submit">Create campaign</button>
      </div>
    </form>
  );
}
