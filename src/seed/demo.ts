import crypto from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import { createWorkspace } from '../auth/service.ts';
import { hashPassword } from '../auth/passwords.ts';
import { operatorCaller } from '../auth/operator.ts';
import { DEMO_SIZE, seedCrmData, type DemoSize } from './crm-data.ts';
import { seedPrivacyData } from './privacy-data.ts';

export const DEMO_WORKSPACE_SLUG = 'demo';
export const DEMO_ADMIN_EMAIL = 'admin@demo.lawful.localhost';

/** A password that is long, random and readable enough to type from the console once. */
function generatePassword(): string {
  const words = crypto.randomBytes(12).toString('base64url');
  return `demo-${words.slice(0, 4)}-${words.slice(4, 8)}-${words.slice(8, 12)}`;
}

/**
 * Creates the demo workspace, its Administrator and a team, and fills it with a sales pipeline. Returns the credentials so the caller can
 * print them once; the password is stored only as its Argon2id hash.
 */
export async function seedDemo(
  app: AppContext,
  size: DemoSize = DEMO_SIZE,
): Promise<{ created: boolean; email: string; password?: string; workspace: string; counts?: Record<string, number> }> {
  const existing = await app.db.kysely.selectFrom('tenants').select('id').where('slug', '=', DEMO_WORKSPACE_SLUG).executeTakeFirst();
  if (existing) return { created: false, email: DEMO_ADMIN_EMAIL, workspace: DEMO_WORKSPACE_SLUG };
  const password = generatePassword();
  const system = { ip: '127.0.0.1', userAgent: 'lawful seed', requestId: `seed-${crypto.randomUUID()}` };
  await createWorkspace(
    app,
    {
      workspaceName: 'Demo Company',
      workspaceSlug: DEMO_WORKSPACE_SLUG,
      name: 'Demo Administrator',
      email: DEMO_ADMIN_EMAIL,
      passwordHash: await hashPassword(password),
    },
    system,
  );
  const operator = await operatorCaller(app, DEMO_WORKSPACE_SLUG, DEMO_ADMIN_EMAIL);
  const counts = { ...(await seedCrmData(app, operator, size)), ...(await seedPrivacyData(app, operator)) };
  return { created: true, email: DEMO_ADMIN_EMAIL, password, workspace: DEMO_WORKSPACE_SLUG, counts };
}

export async function isEmpty(app: AppContext): Promise<boolean> {
  return !(await app.db.kysely.selectFrom('tenants').select('id').limit(1).executeTakeFirst());
}
