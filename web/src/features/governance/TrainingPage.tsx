import { useState } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { usePageData } from '../../api/usePageData.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { dateTime, labelOf } from '../../ui/labels.ts';
import { NewTrainingModuleForm } from './NewTrainingModuleForm.tsx';

/** Your training, and for managers the modules and who is overdue. */
export function TrainingPage({ canManage }: { canManage: boolean }) {
  const { data, error, act } = usePageData(['training', canManage], async (signal) => ({
    mine: (await unwrap(client.GET('/api/v1/training-assignments/mine', { signal }))).items,
    modules: canManage ? (await unwrap(client.GET('/api/v1/training-modules', { signal }))).items : [],
    overdue: canManage
      ? (await unwrap(client.GET('/api/v1/training-assignments', { params: { query: { overdue: 'true' } }, signal }))).items
      : [],
  }));
  const [scores, setScores] = useState<Record<string, string>>({});
  return (
    <main>
      <h1>Training</h1>
      <ErrorMessage error={error} />
      <h2>Your training</h2>
      <table>
        <tbody>
          {data?.mine.map((assignment) => (
            <tr key={assignment.id}>
              <td className="wrap">{assignment.moduleTitle}</td>
              <td>
                {assignment.completedAt
                  ? `completed ${dateTime(assignment.completedAt)} (score ${assignment.score})`
                  : `due ${dateTime(assignment.dueAt)}${assignment.overdue ? ' — overdue' : ''}`}
              </td>
              <td className="actions">
                {!assignment.completedAt && (
                  <>
                    <input
                      aria-label={`Quiz score for ${assignment.moduleTitle}`}
                      type="number"
                      min={0}
                      max={100}
                      value={scores[assignment.id] ?? ''}
                      onChange={(e) => setScores({ ...scores, [assignment.id]: e.target.value })}
                    />
                    <button
                      onClick={act(() =>
                        unwrap(
                          client.POST('/api/v1/training-assignments/{id}/complete', {
                            params: { path: { id: assignment.id } },
                            body: { score: Number(scores[assignment.id] ?? 0) },
                          }),
                        ),
                      )}
                    >
                      Complete
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canManage && data && (
        <>
          <h2>Modules</h2>
          <table>
            <tbody>
              {data.modules.map((module) => (
                <tr key={module.id}>
                  <td className="wrap">
                    {module.title} {module.archived && <span className="badge">archived</span>}
                  </td>
                  <td>{module.roles.map(labelOf).join(', ')}</td>
                  <td>
                    {module.completed} / {module.assigned} completed
                  </td>
                  <td>{module.refresherDays ? `refresher every ${module.refresherDays} days` : 'once'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Overdue</h2>
          <ul>
            {data.overdue.map((assignment) => (
              <li key={assignment.id}>
                {assignment.moduleTitle}: member {assignment.memberId.slice(0, 8)}, due {dateTime(assignment.dueAt)}
              </li>
            ))}
          </ul>
          <NewTrainingModuleForm onSubmit={(module) => act(() => unwrap(client.POST('/api/v1/training-modules', { body: module })))()} />
        </>
      )}
    </main>
  );
}
