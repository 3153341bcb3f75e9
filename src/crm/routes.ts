import type { FastifyInstance, FastifySchema } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { callerOf } from '../auth/guard.ts';
import { pageOf } from '../http/pagination.ts';
import { createAccount, deleteAccount, getAccount, listAccounts, updateAccount } from './accounts.ts';
import {
  createNote,
  createTask,
  deleteNote,
  dismissTaskReminder,
  deleteTask,
  getNote,
  getTask,
  listNotes,
  listTasks,
  updateNote,
  updateTask,
} from './activities.ts';
import { createContact, deleteContact, getContact, listContacts, updateContact } from './contacts.ts';
import { archiveCustomField, createCustomField, listCustomFields, updateCustomField } from './custom-fields.ts';
import { convertLead, createLead, deleteLead, getLead, listLeads, updateLead } from './leads.ts';
import { createOpportunity, deleteOpportunity, getOpportunity, listOpportunities, updateOpportunity } from './opportunities.ts';
import * as s from './schema.ts';
import { idParam } from '../shared/fields.ts';

interface Crud<L extends z.ZodType, I extends z.ZodType, P extends z.ZodType, V extends z.ZodType> {
  path: string;
  resource: string;
  label: string;
  listQuery: L;
  input: I;
  patch: P;
  view: V;
  list(app: AppContext, caller: Caller, query: z.output<L>): Promise<{ items: z.output<V>[]; nextCursor: string | null }>;
  get(app: AppContext, caller: Caller, id: string): Promise<z.output<V>>;
  create(app: AppContext, caller: Caller, input: z.output<I>): Promise<z.output<V>>;
  update(app: AppContext, caller: Caller, id: string, patch: z.output<P>): Promise<z.output<V>>;
  remove(app: AppContext, caller: Caller, id: string): Promise<void>;
}

/**
 * List, get, create, update and delete of one CRM object, with the same access rules for all.
 * Registered on the untyped instance: the Crud spec already ties each service to its schemas,
 * and the zod compilers validate requests and responses at run time.
 */
function crud<L extends z.ZodType, I extends z.ZodType, P extends z.ZodType, V extends z.ZodType>(
  fastify: FastifyInstance,
  app: AppContext,
  spec: Crud<L, I, P, V>,
) {
  const tags = [spec.path.split('/').pop()!];
  const item = `${spec.path}/:id`;
  const id = (request: { params: unknown }) => (request.params as z.infer<typeof idParam>).id;
  fastify.get(spec.path, {
    config: { access: 'crm.read' },
    schema: {
      tags,
      summary: `List ${spec.label}s you can see`,
      querystring: spec.listQuery,
      response: { 200: pageOf(spec.view) },
    } as FastifySchema,
    handler: async (request) => spec.list(app, callerOf(request), request.query as z.output<L>),
  });
  fastify.get(item, {
    config: { access: 'crm.read', resource: spec.resource },
    schema: { tags, summary: `Get a ${spec.label}`, params: idParam, response: { 200: spec.view } } as FastifySchema,
    handler: async (request) => spec.get(app, callerOf(request), id(request)),
  });
  fastify.post(spec.path, {
    config: { access: 'crm.write' },
    schema: { tags, summary: `Create a ${spec.label}`, body: spec.input, response: { 201: spec.view } } as FastifySchema,
    handler: async (request, reply) => reply.code(201).send(await spec.create(app, callerOf(request), request.body as z.output<I>)),
  });
  fastify.patch(item, {
    config: { access: 'crm.write', resource: spec.resource },
    schema: {
      tags,
      summary: `Update a ${spec.label} (only the fields given)`,
      params: idParam,
      body: spec.patch,
      response: { 200: spec.view },
    } as FastifySchema,
    handler: async (request) => spec.update(app, callerOf(request), id(request), request.body as z.output<P>),
  });
  fastify.delete(item, {
    config: { access: 'crm.delete', resource: spec.resource },
    schema: { tags, summary: `Delete a ${spec.label}`, params: idParam } as FastifySchema,
    handler: async (request, reply) => {
      await spec.remove(app, callerOf(request), id(request));
      return reply.code(204).send();
    },
  });
}

export function crmRoutes(fastify: FastifyInstance, app: AppContext): void {
  crud(fastify, app, {
    path: '/accounts',
    resource: 'account',
    label: 'account',
    listQuery: s.accountListQuery,
    input: s.accountInput,
    patch: s.accountPatch,
    view: s.accountView,
    list: listAccounts,
    get: getAccount,
    create: createAccount,
    update: updateAccount,
    remove: deleteAccount,
  });
  crud(fastify, app, {
    path: '/contacts',
    resource: 'contact',
    label: 'contact',
    listQuery: s.contactListQuery,
    input: s.contactInput,
    patch: s.contactPatch,
    view: s.contactView,
    list: listContacts,
    get: getContact,
    create: createContact,
    update: updateContact,
    remove: deleteContact,
  });
  crud(fastify, app, {
    path: '/leads',
    resource: 'lead',
    label: 'lead',
    listQuery: s.leadListQuery,
    input: s.leadInput,
    patch: s.leadPatch,
    view: s.leadView,
    list: listLeads,
    get: getLead,
    create: createLead,
    update: updateLead,
    remove: deleteLead,
  });
  crud(fastify, app, {
    path: '/opportunities',
    resource: 'opportunity',
    label: 'opportunity',
    listQuery: s.opportunityListQuery,
    input: s.opportunityInput,
    patch: s.opportunityPatch,
    view: s.opportunityView,
    list: listOpportunities,
    get: getOpportunity,
    create: createOpportunity,
    update: updateOpportunity,
    remove: deleteOpportunity,
  });
  crud(fastify, app, {
    path: '/tasks',
    resource: 'task',
    label: 'task',
    listQuery: s.taskListQuery,
    input: s.taskInput,
    patch: s.taskPatch,
    view: s.taskView,
    list: listTasks,
    get: getTask,
    create: createTask,
    update: updateTask,
    remove: deleteTask,
  });
  crud(fastify, app, {
    path: '/notes',
    resource: 'note',
    label: 'note or activity',
    listQuery: s.noteListQuery,
    input: s.noteInput,
    patch: s.notePatch,
    view: s.noteView,
    list: listNotes,
    get: getNote,
    create: createNote,
    update: updateNote,
    remove: deleteNote,
  });

  const r = fastify.withTypeProvider<ZodTypeProvider>();
  r.post('/leads/:id/convert', {
    config: { access: 'crm.write', resource: 'lead' },
    schema: {
      tags: ['leads'],
      summary: 'Convert a lead into a contact, an account (matched by domain) and optionally an opportunity, atomically',
      params: idParam,
      body: s.leadConvertInput,
      response: { 200: s.leadConversionView },
    },
    handler: async (request) => convertLead(app, callerOf(request), request.params.id, request.body),
  });

  r.post('/tasks/:id/dismiss-reminder', {
    config: { access: 'crm.write', resource: 'task' },
    schema: {
      tags: ['tasks'],
      summary: "Close a task's reminder in the app (its assignee); a new due time or reminder opens it again",
      params: idParam,
      response: { 200: s.taskView },
    },
    handler: async (request) => dismissTaskReminder(app, callerOf(request), request.params.id),
  });

  const fieldTags = ['custom fields'];
  r.get('/custom-fields', {
    config: { access: 'crm.read' },
    schema: {
      tags: fieldTags,
      summary: 'Custom fields of the workspace',
      querystring: z.object({ object: z.enum(s.RECORD_TYPES).optional() }),
      response: { 200: z.object({ items: z.array(s.customFieldView) }) },
    },
    handler: async (request) => listCustomFields(app, callerOf(request), request.query.object),
  });
  r.post('/custom-fields', {
    config: { access: 'crm.configure' },
    schema: { tags: fieldTags, summary: 'Add a custom field to an object', body: s.customFieldInput, response: { 201: s.customFieldView } },
    handler: async (request, reply) => reply.code(201).send(await createCustomField(app, callerOf(request), request.body)),
  });
  r.patch('/custom-fields/:id', {
    config: { access: 'crm.configure', resource: 'custom_field' },
    schema: {
      tags: fieldTags,
      summary: 'Rename, reorder or add options to a custom field',
      params: idParam,
      body: s.customFieldPatch,
      response: { 200: s.customFieldView },
    },
    handler: async (request) => updateCustomField(app, callerOf(request), request.params.id, request.body),
  });
  r.delete('/custom-fields/:id', {
    config: { access: 'crm.configure', resource: 'custom_field' },
    schema: { tags: fieldTags, summary: 'Archive a custom field (stored values are kept)', params: idParam },
    handler: async (request, reply) => {
      await archiveCustomField(app, callerOf(request), request.params.id);
      return reply.code(204).send();
    },
  });
}
