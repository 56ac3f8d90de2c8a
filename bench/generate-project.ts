import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a project of `pipelines` pipelines with `blocks` blocks each, in the form Mage writes
 * (sorted keys, nulls), every block with a file and linked to up to two earlier blocks.
 */
export function generateProject(root: string, options: { pipelines: number; blocks: number }): void {
  mkdirSync(join(root, 'data_loaders'), { recursive: true });
  mkdirSync(join(root, 'transformers'), { recursive: true });
  writeFileSync(join(root, 'metadata.yaml'), 'project_type: standalone\n');
  writeFileSync(join(root, 'io_config.yaml'), 'version: 0.1.1\ndefault:\n  PIPEWRIGHT_EMBEDDED: true\ndev:\n  POSTGRES_HOST: "{{ env_var(\'BENCH_PG_HOST\') }}"\n');
  for (let p = 0; p < options.pipelines; p++) {
    const uuid = `pipeline_${p}`;
    const entries: string[] = [];
    for (let b = 0; b < options.blocks; b++) {
      const block = `p${p}_block_${b}`;
      const upstream = b === 0 ? [] : [`p${p}_block_${b - 1}`, ...(b > 2 ? [`p${p}_block_${b - 3}`] : [])];
      const downstream = [b + 1, b + 3].filter((d) => d < options.blocks).map((d) => `p${p}_block_${d}`);
      const type = b === 0 ? 'data_loader' : 'transformer';
      writeFileSync(join(root, b === 0 ? 'data_loaders' : 'transformers', `${block}.ts`), 'export default 1;\n');
      entries.push(
        [
          '- all_upstream_blocks_executed: true',
          '  color: null',
          '  configuration: {}',
          `  downstream_blocks:${downstream.length ? downstream.map((d) => `\n  - ${d}`).join('') : ' []'}`,
          '  executor_config: null',
          '  executor_type: local_python',
          '  has_callback: false',
          '  language: typescript',
          `  name: ${block}`,
          '  retry_config: null',
          '  status: not_executed',
          '  timeout: null',
          `  type: ${type}`,
          `  upstream_blocks:${upstream.length ? upstream.map((u) => `\n  - ${u}`).join('') : ' []'}`,
          `  uuid: ${block}`,
        ].join('\n'),
      );
    }
    const dir = join(root, 'pipelines', uuid);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'metadata.yaml'),
      `blocks:\n${entries.join('\n')}\ncache_block_output_in_memory: false\ncallbacks: []\nconditionals: []\ndescription: null\nname: ${uuid}\ntype: python\nuuid: ${uuid}\nwidgets: []\n`,
    );
    writeFileSync(join(dir, 'triggers.yaml'), "triggers:\n- name: daily\n  schedule_interval: '@daily'\n  schedule_type: time\n  status: active\n");
  }
}
