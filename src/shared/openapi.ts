import { z } from 'zod';

/**
 * Names in /openapi.json's components.schemas, through zod's global registry (read by
 * jsonSchemaTransformObject): a route's body or answer that is a named schema becomes a $ref,
 * so a generated client has one type per concept instead of one per route.
 *
 * An export's name gives the component's: contactView → Contact, contactInput → ContactBody,
 * contactPatch → ContactPatch. "…Input" is left to the type provider, which names the input
 * side of every schema so (Contact → ContactInput).
 */
export function schemaId(exportName: string): string {
  const base = exportName
    .replace(/View$/, '')
    .replace(/Input$/, 'Body')
    .replace(/Schema$/, '');
  return base.charAt(0).toUpperCase() + base.slice(1);
}

/** Query strings stay inline: OpenAPI describes them as parameters, not as a schema. */
const INLINE = /(Query|Filter)$/;

/** Names every object schema a module's schema.ts exports, except its query strings. */
export function nameSchemas(module: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(module)) {
    if (!(value instanceof z.ZodObject) || INLINE.test(name)) continue;
    const id = schemaId(name);
    const taken = z.globalRegistry.get(value)?.id;
    if (taken && taken !== id) throw new Error(`${name} is already named ${taken}`);
    const other = z.globalRegistry._idmap.get(id);
    if (other && other !== value) throw new Error(`Two schemas would be named ${id} in the OpenAPI document`);
    z.globalRegistry.add(value, { ...z.globalRegistry.get(value), id });
  }
}

/** The name of a schema, if it has one. */
export const schemaName = (schema: z.ZodType): string | undefined => z.globalRegistry.get(schema)?.id as string | undefined;
