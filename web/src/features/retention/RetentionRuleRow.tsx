import type { ResponseOf } from '../../api/client.ts';
import { ConfirmButton } from '../../ui/ConfirmButton.tsx';
import { dateTime, labelOf } from '../../ui/labels.ts';
import { RunNowConfirmation } from './RunNowConfirmation.tsx';
import { TARGET_LABELS } from './targets.ts';

type Rule = ResponseOf<'/api/v1/retention-rules'>['items'][number];

/** A retention rule, its last run, and its dry run, switch and "run now" (behind a count of what goes). */
export function RetentionRuleRow({ rule, onDryRun, onToggle, onRun }: { rule: Rule; onDryRun(): void; onToggle(): void; onRun(): void }) {
  return (
    <tr>
      <td className="wrap">
        {rule.name} {!rule.enabled && <span className="badge">disabled</span>}
      </td>
      <td>{TARGET_LABELS[rule.target]}</td>
      <td>{rule.afterDays} days</td>
      <td>{labelOf(rule.action)}</td>
      <td>
        {rule.lastRun
          ? `${dateTime(rule.lastRun.startedAt)}: ${rule.lastRun.applied}${rule.lastRun.finishedAt ? '' : ' (running)'}`
          : 'never'}
      </td>
      <td className="actions">
        <button className="secondary" onClick={onDryRun}>
          Dry run
        </button>
        <button className="secondary" onClick={onToggle}>
          {rule.enabled ? 'Disable' : 'Enable'}
        </button>
        {rule.enabled && (
          <ConfirmButton label="Run now" tone="primary" title={`Run “${rule.name}” now?`} confirmLabel="Run the rule" onConfirm={onRun}>
            <RunNowConfirmation ruleId={rule.id} action={rule.action === 'delete' ? 'deleted' : 'anonymised'} />
          </ConfirmButton>
        )}
      </td>
    </tr>
  );
}
