import { dateOnly, labelOf } from '../../ui/labels.ts';
import { CustomFieldValues } from '../custom-fields/CustomFieldValues.tsx';
import { useMembers } from '../members/useMembers.ts';
import { shownField } from './formValues.ts';
import { RecordLink } from './RecordLink.tsx';
import type { ObjectSpec } from './objects.ts';
import type { CrmRecord } from './recordApis.ts';

/** A record's standard fields, custom fields and source, as read on its page. */
export function RecordFields<R extends CrmRecord>({ spec, record }: { spec: ObjectSpec<R>; record: R }) {
  const { nameOf } = useMembers();
  return (
    <dl className="fields">
      {spec.fields.map((field) => {
        const value = record[field.key];
        return (
          <div key={field.key}>
            <dt>{field.label.replace(/ \(.*\)$/, '')}</dt>
            <dd>
              {field.type === 'account' && typeof value === 'string' ? (
                <RecordLink record={{ type: 'account', id: value }} />
              ) : field.type === 'member' && typeof value === 'string' ? (
                nameOf(value) || '…'
              ) : field.type === 'select' && typeof value === 'string' ? (
                labelOf(value)
              ) : (
                shownField(value)
              )}
            </dd>
          </div>
        );
      })}
      <CustomFieldValues object={spec.recordType} values={record.custom} />
      {'provenance' in record && (
        <div>
          <dt>Source</dt>
          <dd>
            {labelOf(record.provenance.sourceType)}
            {record.provenance.sourceRef ? ` (${record.provenance.sourceRef})` : ''}, collected {dateOnly(record.provenance.collectedAt)}
          </dd>
        </div>
      )}
    </dl>
  );
}
