import type { BlockLanguage } from '../project/block-kinds.js';
import { pythonTemplate } from './python-templates.js';

/** The block kinds `pipewright new block` can write, with the wrapper each uses. */
export const TEMPLATE_TYPES = ['data_loader', 'transformer', 'data_exporter', 'custom', 'sensor', 'conditional', 'callback'] as const;

/** A block kind with a template. */
export type TemplateType = (typeof TEMPLATE_TYPES)[number];

/** Kinds that attach to other blocks (listed under conditionals: / callbacks:), written in TypeScript only. */
export const ATTACHED_TYPES: readonly TemplateType[] = ['conditional', 'callback'];

/** Languages `pipewright new block` can write. */
export const TEMPLATE_LANGUAGES: readonly BlockLanguage[] = ['typescript', 'sql', 'python'];

/** The text of a new block file. */
export function blockTemplate(type: TemplateType, language: BlockLanguage, options: { upstream: string[]; dynamic?: boolean; perItem?: boolean; gathered?: boolean }): string {
  if (language === 'sql') return sqlTemplate(type, options.upstream);
  if (language === 'python') return pythonTemplate(type, options);
  if (options.dynamic && type === 'data_loader') return dynamicLoaderTemplate();
  if (options.perItem && type === 'transformer') return perItemTemplate(options.upstream);
  if (options.gathered && (type === 'transformer' || type === 'data_exporter')) return gatheredTemplate(type, options.upstream);
  return typescriptTemplate(type, options.upstream);
}

function dynamicLoaderTemplate(): string {
  return [
    "import { dataLoader } from 'pipewright';",
    '',
    '// A dynamic block: each item of the list it returns starts one run of every downstream block',
    '// (named <block>:<index>), which receives the item. Return [items, metadata] to name the runs',
    "// by each metadata entry's block_uuid instead.",
    'export default dataLoader(async (ctx) => {',
    '  const year = ctx.vars.ds.slice(0, 4);',
    "  return Array.from({ length: 12 }, (_, i) => ({ month: `${year}-${String(i + 1).padStart(2, '0')}` }));",
    '});',
    '',
  ].join('\n');
}

function sqlTemplate(type: TemplateType, upstream: string[]): string {
  const source = upstream.length > 0 ? '{{ df_1 }}' : '(SELECT 1 AS id)';
  // Comments are templates too (as in Mage's Jinja), so the help below names the expressions without braces.
  const header = [
    `-- ${type.replace('_', ' ')} block: df_1, df_2, ... (in double braces) name the outputs of the upstream`,
    "-- blocks in order; execution_date, ds and variables('name') give the run's variables, and a variable",
    '-- followed by | sql_literal is its value as a quoted SQL literal (a value can never change the query).',
  ];
  return `${header.join('\n')}\nSELECT *\nFROM ${source}\n`;
}

/** A transformer run once per item of the dynamic block upstream of it. */
function perItemTemplate(upstream: string[]): string {
  const [item, ...others] = upstream.map((u) => camel(u));
  return [
    "import { transformer } from 'pipewright';",
    '',
    `// Runs once per item of ${upstream[0]} (a dynamic block): each run gets one item and is named <this block>:<index>.`,
    `export default transformer(async (${[item, ...others, 'ctx'].join(', ')}) => {`,
    `  const { month } = ${item} as unknown as { month: string };`,
    '  ctx.log.info(`Item ${ctx.vars.dynamic_block_index}: ${month}`);',
    '  return [{ month }];',
    '});',
    '',
  ].join('\n');
}

/** A block after one that ran per item and reduced its output: it receives the list of their outputs. */
function gatheredTemplate(type: 'transformer' | 'data_exporter', upstream: string[]): string {
  const [first, ...others] = upstream.map((u) => camel(u));
  const wrapper = type === 'transformer' ? 'transformer' : 'dataExporter';
  return [
    `import { ${wrapper}, type Dataset } from 'pipewright';`,
    '',
    `// ${upstream[0]} runs once per item and reduces its output: this block receives the list of their outputs.`,
    `export default ${wrapper}(async (${[first, ...others, 'ctx'].join(', ')}) => {`,
    `  const parts = ${first} as unknown as Dataset[];`,
    '  const rows = (await Promise.all(parts.map((part) => part.count()))).reduce((a, b) => a + b, 0);',
    `  ctx.log.info(\`${type === 'transformer' ? 'Combining' : 'Exporting'} \${rows} rows from \${parts.length} runs\`);`,
    ...(type === 'transformer' ? ["  return parts.length > 0 ? parts[0].sql('SELECT * FROM data') : [];"] : []),
    '});',
    '',
  ].join('\n');
}

function typescriptTemplate(type: TemplateType, upstream: string[]): string {
  const inputs = upstream.map((u) => camel(u));
  const params = [...inputs, 'ctx'].join(', ');
  switch (type) {
    case 'data_loader':
      return [
        "import { dataLoader } from 'pipewright';",
        '',
        'export default dataLoader(async (ctx) => {',
        '  ctx.log.info(`Loading data for ${ctx.vars.execution_date}`);',
        '  return [{ id: 1, loaded_at: new Date() }];',
        '});',
        '',
      ].join('\n');
    case 'transformer':
      return [
        "import { transformer } from 'pipewright';",
        '',
        `export default transformer(async (${params}) => {`,
        `  const rows = ${inputs.length > 0 ? `await ${inputs[0]}.rows()` : '[] as Record<string, unknown>[]'};`,
        '  ctx.log.info(`Transforming ${rows.length} rows`);',
        '  return rows;',
        '});',
        '',
      ].join('\n');
    case 'data_exporter':
      return [
        "import { dataExporter } from 'pipewright';",
        '',
        `export default dataExporter(async (${params}) => {`,
        `  ctx.log.info(${inputs.length > 0 ? `\`Exporting \${await ${inputs[0]}.count()} rows\`` : "'Nothing upstream to export'"});`,
        '});',
        '',
      ].join('\n');
    case 'sensor':
      return [
        "import { sensor } from 'pipewright';",
        '',
        '// Polled until it returns true, or until the block times out.',
        'export default sensor(async (ctx) => {',
        '  ctx.log.info(`Checking for ${ctx.vars.execution_date}`);',
        '  return true;',
        '});',
        '',
      ].join('\n');
    case 'conditional':
      return [
        "import { condition } from 'pipewright';",
        '',
        '// Checked before each block it is attached to (upstream_blocks in conditionals:), with that',
        "// block's inputs: false skips the block and everything downstream of it.",
        `export default condition(async (${params}) => {`,
        '  // For example, only on weekdays: return new Date(ctx.vars.execution_date).getUTCDay() % 6 !== 0;',
        '  return true;',
        '});',
        '',
      ].join('\n');
    case 'callback':
      return [
        "import { callback } from 'pipewright';",
        '',
        '// Runs after each block it is attached to (upstream_blocks in callbacks:). A callback that',
        "// throws is logged; it never changes the block's result.",
        'export default callback({',
        '  onSuccess: async (output, ctx) => {',
        '    ctx.log.info(`${ctx.vars.parent_block_uuid} succeeded`);',
        '  },',
        '  onFailure: async (error, ctx) => {',
        '    ctx.log.error(`${ctx.vars.parent_block_uuid} failed: ${error.message}`);',
        '  },',
        '});',
        '',
      ].join('\n');
    case 'custom':
      return ["import { custom } from 'pipewright';", '', `export default custom(async (${params}) => {`, "  ctx.log.info('Running');", '});', ''].join('\n');
  }
}

function camel(uuid: string): string {
  const words = uuid.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join('');
  return /^[A-Za-z_]/.test(name) ? name : `block${name}`;
}
