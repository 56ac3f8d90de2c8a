import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderSql, sqlLiteral } from '../../../runtime/executor/sql-template.ts';

// {{ variables('v') }} is raw SQL text, as in Mage; | sql_literal makes the value a literal that no
// value can leave.

const HOSTILE = "x'; DROP TABLE zones; --";
const context = { upstream: ['zones'], variables: { zone: HOSTILE, n: 3, on: true, none: null, when: new Date('2021-01-15T00:00:00Z') }, env: () => undefined };

test('sql_literal quotes text (every quote doubled), and keeps numbers, booleans and null as such', () => {
  assert.equal(renderSql("SELECT * FROM {{ df_1 }} WHERE zone = {{ variables('zone') | sql_literal }}", context), `SELECT * FROM df_1 WHERE zone = 'x''; DROP TABLE zones; --'`);
  assert.equal(
    renderSql('SELECT {{ n | sql_literal }}, {{ on|sql_literal }}, {{ none | sql_literal }}, {{ when | sql_literal }}', context),
    "SELECT 3, TRUE, NULL, '2021-01-15T00:00:00.000Z'",
  );
  // The Mage form is unchanged: the value is SQL text.
  assert.equal(renderSql("SELECT {{ variables('n') }}", context), 'SELECT 3');
});

test("BigQuery's literals escape backslashes and quotes with a backslash", () => {
  assert.equal(sqlLiteral("a\\' OR 1=1 --", 'bigquery'), "'a\\\\\\' OR 1=1 --'");
  assert.equal(sqlLiteral("it's\\", 'postgres'), "'it''s\\'");
});

test('an unknown filter, or sql_literal on a table, is an error at the expression', () => {
  assert.throws(() => renderSql("SELECT {{ variables('zone') | upper }}", context), /Unknown filter "upper": SQL blocks know only \| sql_literal/);
  assert.throws(() => renderSql('SELECT * FROM {{ df_1 | sql_literal }}', context), /names a table, which is not a value/);
});
