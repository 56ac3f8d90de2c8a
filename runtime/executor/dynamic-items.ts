import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonText } from '../data/json-text.js';
import type { BlockTask, StoredOutput } from '../protocol.js';
import { BlockFailure, failure } from './block-failure.js';

// A dynamic block's output: its items, each in a JSON file of its own, each starting runs of the
// downstream blocks.

/** Most children a dynamic block may start: more is almost surely a table returned by mistake. */
const MAX_DYNAMIC_ITEMS = 10_000;

/**
 * A dynamic block's value as items and per-item metadata: a list, Mage's `[items, metadata]` (two
 * lists of the same length, the second of objects), or a dataset (one item per row).
 */
async function dynamicItems(task: BlockTask, value: unknown): Promise<{ items: unknown[]; metadata: unknown[] }> {
  const { isDataset } = await import('../data/dataset.js');
  let list: unknown[];
  if (isDataset(value)) list = await value.rows({ limit: MAX_DYNAMIC_ITEMS + 1 });
  else if (Array.isArray(value)) list = value;
  else {
    throw new BlockFailure({
      code: 'runtime',
      message: `Dynamic block "${task.block.uuid}" must return a list (one item per run of its downstream blocks), got ${value === null ? 'null' : typeof value}: return an array, or set dynamic: false in metadata.yaml`,
      file: task.block.file,
    });
  }
  const [first, second] = list;
  const withMetadata =
    list.length === 2 &&
    Array.isArray(first) &&
    Array.isArray(second) &&
    first.length === second.length &&
    second.every((m) => m !== null && typeof m === 'object' && !Array.isArray(m));
  const items = withMetadata ? first : list;
  if (items.length > MAX_DYNAMIC_ITEMS) {
    throw new BlockFailure({
      code: 'runtime',
      message: `Dynamic block "${task.block.uuid}" returned more than ${MAX_DYNAMIC_ITEMS} items: each starts runs of the downstream blocks; return fewer (group them)`,
      file: task.block.file,
    });
  }
  return { items, metadata: withMetadata ? second : [] };
}

/** Writes each item of a dynamic block to a JSON file of its own, and names the child it makes. */
export async function writeItems(task: BlockTask, value: unknown): Promise<NonNullable<StoredOutput['items']>> {
  const { items, metadata } = await dynamicItems(task, value);
  const dir = join(task.outputDir, 'items');
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const keys: string[] = [];
  for (const [index, item] of items.entries()) {
    let text: string | undefined;
    try {
      text = jsonText(item ?? null);
    } catch (error) {
      throw failure(error, 'runtime', undefined, `Item ${index} of dynamic block "${task.block.uuid}" cannot be stored as JSON: `);
    }
    const file = join(dir, `${index}.json`);
    writeFileSync(file, text);
    files.push(file);
    const named = (metadata[index] as Record<string, unknown> | undefined)?.block_uuid;
    keys.push(typeof named === 'string' && named !== '' ? named : String(index));
  }
  const repeated = keys.find((key, i) => keys.indexOf(key) !== i);
  if (repeated !== undefined) {
    throw new BlockFailure({
      code: 'runtime',
      message: `Dynamic block "${task.block.uuid}" names two items "${repeated}" (metadata block_uuid): each item's block_uuid must be unique`,
      file: task.block.file,
    });
  }
  return { files, keys };
}
