import type { Purpose } from '../consent/usePurposes.ts';

/** The options of a purpose choice: only active purposes can carry a push. */
export function ActivePurposeOptions({ purposes }: { purposes: Purpose[] }) {
  return purposes
    .filter((purpose) => purpose.status === 'active')
    .map((purpose) => (
      <option key={purpose.id} value={purpose.id}>
        {purpose.name}
      </option>
    ));
}
