// New Python blocks as Mage writes them: the decorator guard (so the file also imports outside a
// run), the block's function with one parameter per upstream block, and a @test.

type PythonType = 'data_loader' | 'transformer' | 'data_exporter' | 'custom' | 'sensor';

const FUNCTIONS: Record<PythonType, string> = {
  data_loader: 'load_data',
  transformer: 'transform',
  data_exporter: 'export_data',
  custom: 'transform_custom',
  sensor: 'check_condition',
};

/** A Python identifier for an upstream block's output (its uuid, made safe). */
function parameter(uuid: string): string {
  const name = uuid.replace(/\W/g, '_');
  return /^\d/.test(name) ? `_${name}` : name;
}

function guard(decorators: string[]): string[] {
  return decorators.flatMap((d) => [`if '${d}' not in globals():`, `    from mage_ai.data_preparation.decorators import ${d}`]);
}

/** The text of a new Python block: Mage's shape, runnable as it is (pandas for the loader's sample). */
export function pythonTemplate(kind: string, options: { upstream: string[]; dynamic?: boolean }): string {
  if (!Object.hasOwn(FUNCTIONS, kind)) throw new Error(`Pipewright writes ${kind} blocks in TypeScript: leave out --language`);
  const type = kind as PythonType;
  const inputs = options.upstream.map(parameter);
  const signature = `def ${FUNCTIONS[type]}(${[...inputs, '*args', '**kwargs'].join(', ')})`;
  // An exporter and a sensor return nothing for a test to check (Mage's templates have none either).
  const withTest = type !== 'sensor' && type !== 'data_exporter';
  const head = [...(type === 'data_loader' && !options.dynamic ? ['import pandas as pd'] : []), ...guard([type, ...(withTest ? ['test'] : [])]), '', ''];
  const body: Record<typeof type, string[]> = {
    data_loader: options.dynamic
      ? [
          `@data_loader`,
          `${signature}:`,
          '    """A dynamic block: each item starts one run of every downstream block; the metadata names the runs."""',
          '    months = [1, 2, 3]',
          "    return [months, [{'block_uuid': f'month_{m}'} for m in months]]",
        ]
      : [
          '@data_loader',
          `${signature}:`,
          '    """',
          "    Loads the block's data: a DataFrame is stored as a table, anything else as JSON.",
          "    kwargs holds the run's variables (execution_date, the pipeline's variables) and logger.",
          '    """',
          "    return pd.DataFrame({'id': [1, 2, 3]})",
        ],
    transformer: [
      '@transformer',
      `${signature}:`,
      '    """',
      `    Receives the output of each upstream block (${inputs.join(', ') || 'none yet'}); returns this block's output.`,
      '    """',
      `    return ${inputs[0] ?? 'None'}`,
    ],
    data_exporter: [
      '@data_exporter',
      `${signature} -> None:`,
      '    """',
      '    Writes the data somewhere, for example PostgreSQL through a profile of io_config.yaml:',
      '',
      '        from mage_ai.io.config import ConfigFileLoader',
      '        from mage_ai.io.postgres import Postgres',
      "        with Postgres.with_config(ConfigFileLoader(profile='default')) as loader:",
      `            loader.export(${inputs[0] ?? 'df'}, 'public', 'my_table', index=False, if_exists='replace')`,
      '    """',
      `    kwargs['logger'].info('exporting %s', type(${inputs[0] ?? 'None'}).__name__)`,
    ],
    custom: ['@custom', `${signature}:`, `    return ${inputs[0] ?? '{}'}`],
    sensor: ['@sensor', `${signature} -> bool:`, '    """Called until it returns True, configuration.poke_interval seconds apart."""', '    return True'],
  };
  const test = withTest ? ['', '', '@test', 'def test_output(output, *args) -> None:', "    assert output is not None, 'The output is undefined'"] : [];
  return [...head, ...body[type], ...test, ''].join('\n');
}
