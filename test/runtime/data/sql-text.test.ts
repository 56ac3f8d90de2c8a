import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sqlBody } from '../../../runtime/data/sql-text.ts';

test('sqlBody drops what trails the last statement, and keeps comments, quotes and semicolons inside it', () => {
  const cases: [string, string][] = [
    ['SELECT 1', 'SELECT 1'],
    ['SELECT 1;\n', 'SELECT 1'],
    ['SELECT 1 -- why\n', 'SELECT 1'],
    ['SELECT 1; -- done', 'SELECT 1'],
    ['SELECT 1 /* a */ ;; \n-- b\n/* c */', 'SELECT 1'],
    ['-- only a comment', ''],
    ["SELECT '--not a comment;'", "SELECT '--not a comment;'"],
    ["SELECT 'it''s' -- x", "SELECT 'it''s'"],
    ['SELECT "a;--b" FROM t -- x', 'SELECT "a;--b" FROM t'],
    ['SELECT $$;--$$ AS v; -- x', 'SELECT $$;--$$ AS v'],
    ['SELECT $tag$ -- $tag$ -- x', 'SELECT $tag$ -- $tag$'],
    ['SELECT 1; SELECT 2 -- x\n;', 'SELECT 1; SELECT 2'],
    ['SELECT 1 -- one\nFROM t', 'SELECT 1 -- one\nFROM t'],
    ["SELECT 'open", "SELECT 'open"],
  ];
  for (const [text, body] of cases) assert.equal(sqlBody(text), body, JSON.stringify(text));
});
