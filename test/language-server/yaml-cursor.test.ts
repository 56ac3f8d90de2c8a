import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDocument } from 'yaml';
import { cursorAt, cursorAtPositions } from '../../language-server/yaml-cursor.ts';
import { readPositions } from '../../runtime/yaml/yaml-positions.ts';

// Large documents are read with the fast positions instead of a full parse; on every key and value
// the cursor must be the same either way.

const TEXT = [
  'blocks:',
  '- uuid: load_taxi',
  '  type: data_loader',
  "  upstream_blocks: [a, 'b c']",
  '  configuration:',
  '    file_path: "data_loaders/load_taxi.py"',
  '- uuid: export',
  '  downstream_blocks:',
  '  - x',
  'name: p # the pipeline',
  'triggers:',
  '- name: daily',
  '  schedule_interval: "@daily"',
  '',
].join('\n');

test("the cursor from the fast positions is the parsed document's on every scalar", () => {
  const doc = parseDocument(TEXT);
  const root = readPositions(TEXT)!;
  let compared = 0;
  for (let offset = 0; offset <= TEXT.length; offset++) {
    const slow = cursorAt(doc, offset);
    if (!slow.scalar) continue;
    const fast = cursorAtPositions(TEXT, { root, offset });
    assert.deepEqual(
      { path: fast.path, onKey: fast.onKey, value: String(fast.scalar?.value) },
      { path: slow.path, onKey: slow.onKey, value: String(slow.scalar.value) },
      `offset ${offset}: ${JSON.stringify(TEXT.slice(offset, offset + 10))}`,
    );
    compared++;
  }
  assert.ok(compared > 100, `compared ${compared} offsets`);
});
