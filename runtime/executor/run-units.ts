import { existsSync, statSync } from 'node:fs';
import type { Block, Pipeline } from '../project/model.js';
import type { StoredOutput } from '../protocol.js';

// The pieces a run is scheduled in: blocks, runs of a block per item of a dynamic block, and the
// conditionals and callbacks attached to blocks.

/** What the run schedules: a block, or one run of it for an item of its dynamic block (`<uuid>:<key>`). */
export interface Unit {
  name: string;
  block: string;
  item?: { index: number; key: string };
}

/** The conditionals or callbacks of a pipeline, by the block they are attached to (their upstream_blocks). */
export function attachedTo(pipeline: Pipeline, list: 'conditionals' | 'callbacks'): Map<string, Block[]> {
  const byBlock = new Map<string, Block[]>();
  for (const block of pipeline.blocks) {
    if (block.list !== list) continue;
    for (const uuid of new Set(block.upstream)) byBlock.set(uuid, [...(byBlock.get(uuid) ?? []), block]);
  }
  return byBlock;
}

/** One item of a dynamic block's output, as the output its child receives. */
export function itemOutput(output: StoredOutput, index: number): StoredOutput {
  const file = output.items!.files[index];
  return { kind: 'json', files: [file], rows: 1, columns: [], bytes: existsSync(file) ? statSync(file).size : 0 };
}

/**
 * The outputs of a block's runs per item as one output: `parts` keeps each (a reduced block's
 * downstream blocks receive them as a list); when all are tables, `files` holds them all, so SQL
 * blocks read them as one table.
 */
export function gather(parts: StoredOutput[]): StoredOutput {
  const tables = parts.length > 0 && parts.every((p) => p.kind === 'table');
  return {
    kind: tables ? 'table' : 'json',
    files: tables ? parts.flatMap((p) => p.files) : [],
    rows: tables ? parts.reduce((n, p) => n + p.rows, 0) : parts.length,
    columns: tables ? parts[0].columns : [],
    bytes: parts.reduce((n, p) => n + p.bytes, 0),
    parts,
  };
}

/** Seconds between two checks of a sensor: configuration.poke_interval, else 60 as in Mage. */
export function sensorInterval(block: Block): number {
  const seconds = Number(block.configuration.poke_interval ?? 60);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 60;
}

/** Why a block's file cannot be run: it does not exist, or it is outside the project (never read). */
export function missingFileMessage(block: Block): string {
  if (block.fileOutside)
    return `The file of ${block.type} "${block.uuid}" is outside the project (${block.file}): it is not run; move it into the project (pipewright validate names the setting)`;
  return `The file of ${block.type} "${block.uuid}" does not exist: ${block.file ?? '(none)'}`;
}

/** A block's timeout in seconds (metadata.yaml's number, or text Mage wrote), when it has a valid one. */
export function blockTimeout(value: unknown): number | undefined {
  const seconds = typeof value === 'string' ? Number(value) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}
