import { useState } from 'react';
import type { Viewer } from './features/admin/viewer.ts';
import type { Session } from './routes.tsx';
import { ROUTE_TABLE, type NavGroup, type RouteEntry } from './routeTable.ts';

const GROUPS: NavGroup[] = ['Sales', 'Privacy and marketing', 'Accountability', 'Administration'];

/** The navigation, drawn from the route table: a page the member cannot open is not listed. Collapses behind a button on a phone. */
export function AppNavigation({
  session,
  viewer,
  current,
  onSwitch,
  onLogout,
}: {
  session: Session;
  viewer: Viewer;
  current: string | undefined;
  onSwitch: (slug: string) => void;
  onLogout: () => void;
}) {
  const [open, setOpen] = useState(false);
  const locked = session.mfaEnrollmentRequired;
  const visible = (ROUTE_TABLE as readonly RouteEntry[]).filter(
    (route) => !route.hidden && (!route.permission || viewer.can(route.permission)),
  );
  return (
    <nav aria-label="Main" className={open ? 'open' : undefined}>
      <div className="nav-top">
        <strong className="brand">Lawful CRM</strong>
        <button type="button" className="nav-toggle" aria-expanded={open} aria-controls="nav-links" onClick={() => setOpen(!open)}>
          Menu
        </button>
      </div>
      <div id="nav-links" className="nav-links" onClick={(event) => (event.target as HTMLElement).tagName === 'A' && setOpen(false)}>
        <select aria-label="Workspace" value={session.workspace.slug} onChange={(event) => onSwitch(event.target.value)}>
          {session.workspaces.map((workspace) => (
            <option key={workspace.id} value={workspace.slug}>
              {workspace.name}
            </option>
          ))}
        </select>
        {!locked &&
          GROUPS.map((group) => {
            const links = visible.filter((route) => route.group === group);
            if (links.length === 0) return null;
            return (
              <div key={group} className="nav-section">
                {group !== 'Sales' && <span className="nav-group">{group}</span>}
                {links.map((route) => (
                  <a key={route.path} href={`#/${route.path}`} aria-current={current === route.path ? 'page' : undefined}>
                    {route.title}
                  </a>
                ))}
              </div>
            );
          })}
        <div className="who">
          <a href="#/account" aria-current={current === 'account' ? 'page' : undefined}>
            {session.user.name}
          </a>
          <button className="link" onClick={onLogout}>
            Sign out
          </button>
        </div>
      </div>
    </nav>
  );
}
