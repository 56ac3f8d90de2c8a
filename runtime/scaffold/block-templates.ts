import type { BlockLanguage } from '../project/block-kinds.js';

/** The block kinds `pipewright new block` can write, with the wrapper each uses. */
export const TEMPLATE_TYPES = ['data_loader', 'transformer', 'data_exporter', 'custom', 'sensor'] as const;

/** A block kind with a template. */
export type TemplateType = (typeof TEMPLATE_TYPES)[number];

/** Languages `pipewright new block` can write. */
export const TEMPLATE_LANGUAGES: readonly BlockLanguage[] = ['typescript', 'sql'];

/** The text of a new block file. */
export function blockTemplate(type: TemplateType, language: BlockLanguage, options: { upstream: string[] }): string {
  if (language === 'sql') return sqlTemplate(type, options.upstream);
  return typescriptTemplate(type, options.upstream);
}

function sqlTemplate(type: TemplateType, upstream: string[]): string {
  const source = upstream.length > 0 ? '{{ df_1 }}' : '(SELECT 1 AS id)';
  // Comments are templates too (as in Mage's Jinja), so the help below names the expressions without braces.
  const header = [
    `-- ${type.replace('_', ' ')} block: df_1, df_2, ... (in double braces) name the outputs of the upstream`,
    "-- blocks in order; execution_date, ds and variables('name') give the run's variables.",
  ];
  return `${header.join('\n')}\nSELECT *\nFROM ${source}\n`;
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
    case 'custom':
      return [
        "import { custom } from 'pipewright';",
        '',
        `export default custom(async (${params}) => {`,
        "  ctx.log.info('Running');",
        '});',
        '',
      ].join('\n');
  }
}

function camel(uuid: string): string {
  const words = uuid.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join('');
  return /^[A-Za-z_]/.test(name) ? name : `block${name}`;
}
