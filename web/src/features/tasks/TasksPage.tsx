import { useState } from 'react';
import { TaskList } from './TaskList.tsx';

/** The signed-in member's tasks, open ones unless asked to show those done. */
export function TasksPage({ memberId }: { memberId: string }) {
  const [showDone, setShowDone] = useState(false);
  return (
    <main>
      <header className="page-header">
        <h1>My tasks</h1>
        <label>
          <input type="checkbox" checked={showDone} onChange={(event) => setShowDone(event.target.checked)} /> show done
        </label>
      </header>
      <TaskList filter={{ assigneeId: memberId, done: showDone ? undefined : 'false' }} memberId={memberId} />
    </main>
  );
}
