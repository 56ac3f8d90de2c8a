import { SCHEMAS, type SchemaKind } from '../runtime/schema/schemas.js';

interface SchemaNode {
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  enum?: unknown[];
  examples?: unknown[];
  $ref?: string;
}

function resolve(root: SchemaNode, node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  for (let i = 0; current?.$ref && i < 10; i++) {
    const name = current.$ref.replace('#/definitions/', '');
    const target = (root as { definitions?: Record<string, SchemaNode> }).definitions?.[name];
    current = target ? { ...target, description: current.description ?? target.description } : undefined;
  }
  return current;
}

/** The schema node for a path into a file of the given kind (keys and list indexes), if the schema describes it. */
export function schemaAt(kind: SchemaKind, path: readonly (string | number)[]): SchemaNode | undefined {
  const root = SCHEMAS[kind] as SchemaNode;
  let node: SchemaNode | undefined = root;
  for (const step of path) {
    node = resolve(root, node);
    if (!node) return undefined;
    if (typeof step === 'number') node = node.items;
    else node = node.properties?.[step] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
  }
  return resolve(root, node);
}

/** The keys a map at `path` may have, with their descriptions (for completion). */
export function keysAt(kind: SchemaKind, path: readonly (string | number)[]): { key: string; description?: string }[] {
  const node = schemaAt(kind, path);
  const root = SCHEMAS[kind] as SchemaNode;
  return Object.entries(node?.properties ?? {}).map(([key, value]) => ({ key, description: resolve(root, value)?.description ?? value.description }));
}

/** The values the schema lists for the value at `path` (enum, else examples). */
export function valuesAt(kind: SchemaKind, path: readonly (string | number)[]): string[] {
  const node = schemaAt(kind, path);
  return [...(node?.enum ?? node?.examples ?? [])].filter((v): v is string => typeof v === 'string');
}
