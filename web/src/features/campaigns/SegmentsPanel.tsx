import { accepted } from '../../api/accepted.ts';
import { useState, type FormEvent } from 'react';
import type { BodyOf, Schemas } from '../../api/client.ts';

type SegmentBody = BodyOf<'/api/v1/segments'>;
const EMPTY = { name: '', object: 'contact' as SegmentBody['object'], country: '' };

/** The saved audiences campaigns are sent to, and a form for a new one. */
export function SegmentsPanel({
  segments,
  onSubmit,
}: {
  segments: Array<Schemas['Segment']>;
  onSubmit(segment: SegmentBody): Promise<unknown>;
}) {
  const [segment, setSegment] = useState(EMPTY);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = { name: segment.name, object: segment.object, filter: segment.country ? { country: segment.country } : {} };
    if (await accepted(onSubmit(body))) setSegment(EMPTY);
  }
  return (
    <form className="record-form" aria-label="New segment" onSubmit={(event) => void submit(event)}>
      <h2>Segments</h2>
      <ul>
        {segments.map((s) => (
          <li key={s.id}>
            {s.name}{' '}
            <span className="muted">
              ({s.size} {s.object}s)
            </span>
          </li>
        ))}
      </ul>
      <label>
        <span>Name</span>
        <input required value={segment.name} onChange={(e) => setSegment({ ...segment, name: e.target.value })} />
      </label>
      <label>
        <span>People</span>
        <select value={segment.object} onChange={(e) => setSegment({ ...segment, object: e.target.value as SegmentBody['object'] })}>
          <option value="contact">contacts</option>
          <option value="lead">leads</option>
        </select>
      </label>
      <label>
        <span>Country (optional, ISO code)</span>
        <input value={segment.country} onChange={(e) => setSegment({ ...segment, country: e.target.value })} />
      </label>
      <div className="actions">
        <button type="submit">Save segment</button>
      </div>
    </form>
  );
}
