"""Runs Mage Python blocks for Pipewright, one at a time, as Mage runs them.

The runtime starts this file with the user's own Python and writes one task per line (JSON) on
stdin; each answer (log lines, then done or failed) is one JSON line on file descriptor 3. What a
block prints goes to stdout and stderr, which the runtime reads as the block's log. The process
runs block after block, so pandas is imported once per run, not once per block.
"""

import inspect
import json
import logging
import os
import signal
import sys
import time
import traceback
from datetime import datetime
from urllib.parse import urlparse

# The stand-in mage_ai and the bridge sit beside this file; they come last on sys.path, so a real
# mage_ai the user installed wins.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or '.') != HERE] + [HERE]

import pipewright_bridge  # noqa: E402
from pipewright_bridge import send  # noqa: E402


class BlockFailure(Exception):
    def __init__(self, code, message, file=None, line=None, stack=None):
        super().__init__(message)
        self.detail = {'code': code, 'message': message}
        if file:
            self.detail['file'] = file
        if line:
            self.detail['line'] = line
        if stack:
            self.detail['stack'] = stack


STAND_IN = 'mage_ai.data_preparation.decorators, mage_ai.data_preparation.variable_manager, mage_ai.data_preparation.shared.secrets, mage_ai.settings.repo, mage_ai.io.config, mage_ai.io.base, mage_ai.io.postgres, mage_ai.io.google_cloud_storage, mage_ai.io.bigquery, mage_ai.io.file, mage_ai.orchestration.triggers.api'


def missing_module(error, task):
    """One line naming the module, the interpreter and the install that fixes it."""
    if (error.name or '').startswith('mage_ai.') and 'mage_ai' in sys.modules and sys.modules['mage_ai'].__file__.startswith(HERE):
        return BlockFailure(
            'unsupported',
            f'{error.name} is not in Pipewright\'s stand-in for mage_ai (it has {STAND_IN}): '
            f'install Mage itself in {sys.executable} ("{sys.executable} -m pip install mage-ai") to use its own',
            task['block']['file'],
        )
    name = (error.name or str(error)).split('.')[0]
    return BlockFailure(
        'runtime',
        f'Python module "{name}" is not installed in {sys.executable}: install it with '
        f'"{sys.executable} -m pip install {name}" (or choose another interpreter with PIPEWRIGHT_PYTHON)',
        task['block']['file'],
    )


def pandas(task):
    try:
        import pandas as pd  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as error:
        raise missing_module(error, task)
    return pd


class ProtocolHandler(logging.Handler):
    """A block's logger: each record is a line of its log, at its level."""

    LEVELS = {'DEBUG': 'debug', 'INFO': 'info', 'WARNING': 'warn', 'ERROR': 'error', 'CRITICAL': 'error'}

    def emit(self, record):
        send({'kind': 'log', 'level': self.LEVELS.get(record.levelname, 'info'), 'message': self.format(record)})


def block_logger(task):
    logger = logging.getLogger(f"pipewright.{task['pipeline']}.{task['block']['uuid']}")
    logger.handlers = [ProtocolHandler()]
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger


def read_input(task, upstream):
    output = upstream['output']
    # Several outputs of one block, or the runs of a block per item: a list.
    if output.get('parts'):
        return [read_input(task, {'uuid': upstream['uuid'], 'output': part}) for part in output['parts']]
    if output['kind'] == 'table':
        pd = pandas(task)
        frames = [pd.read_parquet(file) for file in output['files']]
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    if output['kind'] == 'json':
        with open(output['files'][0], encoding='utf-8') as f:
            return json.load(f)
    return None


DATETIMES = ('execution_date', 'interval_start_datetime', 'interval_end_datetime', 'interval_start_datetime_previous')


def kwargs_of(task):
    """What Mage passes a block: the run's variables, typed as Mage types them, and its own names."""
    kwargs = dict(task['variables'])
    for name in DATETIMES:
        if isinstance(kwargs.get(name), str):
            kwargs[name] = datetime.fromisoformat(kwargs[name].replace('Z', '+00:00'))
    kwargs.update(
        block_uuid=task['block']['uuid'],
        pipeline_uuid=task['pipeline'],
        configuration=task['block'].get('configuration') or {},
        context={},
        repo_path=task['projectRoot'],
        logger=block_logger(task),
        event={},
    )
    if task.get('item'):
        kwargs['dynamic_block_index'] = task['item']['index']
    # Mage's folder name for a run's outputs: the trigger (if any), then the execution date.
    stamp = kwargs['execution_date'].strftime('%Y%m%dT%H%M%S') if isinstance(kwargs.get('execution_date'), datetime) else ''
    kwargs.setdefault('execution_partition', f"{kwargs['trigger_name']}/{stamp}" if kwargs.get('trigger_name') else stamp)
    return kwargs


def collectors(block_type):
    """Mage's collector decorators: each keeps the functions it wraps, in order."""
    found = {}

    def register(name, fn, statuses):
        # A callback runs on the statuses its decorator names (bare @callback: success).
        fn.pipewright_statuses = statuses or ('success',)
        found.setdefault(name, []).append(fn)
        return fn

    def collector(name):
        def decorate(fn=None, *args, **kwargs):
            # @callback('success', 'failure') and similar take arguments: then they return the decorator.
            if fn is None or not callable(fn):
                statuses = tuple(a for a in (fn, *args) if isinstance(a, str))
                return lambda inner: register(name, inner, statuses)
            return register(name, fn, ())

        return decorate

    names = {block_type, 'data_loader', 'transformer', 'data_exporter', 'custom', 'sensor', 'test', 'preprocesser', 'condition', 'callback', 'on_success', 'on_failure'}
    return found, {name: collector(name) for name in names}


def positional_count(fn):
    parameters = inspect.signature(fn).parameters.values()
    takes_args = any(p.kind == p.VAR_POSITIONAL for p in parameters)
    count = sum(1 for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty)
    return count, takes_args, any(p.kind == p.VAR_KEYWORD for p in parameters)


def call(fn, inputs, kwargs):
    _, _, takes_kwargs = positional_count(fn)
    return fn(*inputs, **kwargs) if takes_kwargs else fn(*inputs)


def user_error(error, task):
    """The error at the user's own line: the traceback trimmed to the frames of the block file."""
    file = task['block']['file']
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == file]
    line = frames[-1].lineno if frames else None
    stack = ''.join(traceback.format_list(frames)) + ''.join(traceback.format_exception_only(type(error), error))
    return BlockFailure('runtime', f'{type(error).__name__}: {error}', file, line, stack)


def is_frame(value):
    return type(value).__module__.split('.')[0] in ('pandas', 'polars') and type(value).__name__ == 'DataFrame'


def store_one(task, value, name):
    """One output as Pipewright stores every block's: a table as parquet, anything else as JSON."""
    if value is None:
        return {'kind': 'none', 'files': []}
    kind = type(value).__module__.split('.')[0]
    if is_frame(value):
        file = os.path.join(task['outputDir'], f'{name}.parquet')
        if kind == 'polars':
            value.write_parquet(file)
        else:
            value.to_parquet(file, index=False)
        return {'kind': 'table', 'files': [file]}
    if kind == 'pandas' and type(value).__name__ == 'Series':
        value = value.tolist()
    file = os.path.join(task['outputDir'], f'{name}.json')
    try:
        text = json.dumps(value, default=lambda v: v.isoformat() if hasattr(v, 'isoformat') else str(v))
    except (TypeError, ValueError) as error:
        raise BlockFailure('runtime', f'The value block "{task["block"]["uuid"]}" returned cannot be stored: {error}', task['block']['file'])
    with open(file, 'w', encoding='utf-8') as f:
        f.write(text)
    return {'kind': 'json', 'files': [file]}


def store(task, value):
    """A block's output; several outputs with a table among them (Mage's output_0, output_1, ...) are
    stored one by one, and the next block receives them as a list."""
    os.makedirs(task['outputDir'], exist_ok=True)
    if isinstance(value, (list, tuple)) and any(is_frame(v) for v in value):
        parts = [store_one(task, v, f'output_{i}') for i, v in enumerate(value)]
        summary = os.path.join(task['outputDir'], 'outputs.json')
        with open(summary, 'w', encoding='utf-8') as f:
            json.dump([f'{type(v).__name__} ({len(v)} rows)' if is_frame(v) else v for v in value], f, default=str)
        return {'kind': 'json', 'files': [summary], 'parts': parts}
    return store_one(task, value, 'data')


def first_output(result):
    """Mage splits a returned tuple or list into outputs; a downstream block gets output_0 when there is one."""
    if isinstance(result, (list, tuple)) and len(result) == 1:
        return result[0]
    return result


def run_tests(task, found, outputs, kwargs):
    tests = found.get('test', [])
    passed = 0
    for fn in tests:
        try:
            call(fn, outputs, kwargs)
            passed += 1
        except AssertionError:
            print(f"FAIL: {fn.__name__} (block: {task['block']['uuid']})", file=sys.stderr)
            traceback.print_exc()
    if tests:
        print(f'{passed}/{len(tests)} tests passed.')
    if passed < len(tests):
        raise BlockFailure('test', f"Failed to pass tests for block {task['block']['uuid']}: {len(tests) - passed} of {len(tests)} failed", task['block']['file'])
    return {'passed': passed, 'total': len(tests)}


def sense(task, fn, arguments, kwargs):
    """A sensor is called until it returns something true, task['sensorIntervalSeconds'] apart (the runtime's timeout ends one that never does)."""
    check = 1
    while not call(fn, arguments, kwargs):
        print(f"Sensor not ready (check {check}); next check in {task['sensorIntervalSeconds']} s")
        sys.stdout.flush()
        time.sleep(task['sensorIntervalSeconds'])
        check += 1
    return {'kind': 'done', 'output': {'kind': 'none', 'files': []}, 'tests': {'passed': 0, 'total': 0}}


def local_gcs(task):
    """With an embedded profile, pyarrow's GcsFileSystem() is the project's local bucket folders, so a
    block writing partitioned parquet to Cloud Storage (pq.write_to_dataset(..., filesystem=pa.fs.
    GcsFileSystem())) runs offline into the local bucket that the runtime's gcs reads; with a
    profile's GOOGLE_STORAGE_API_ENDPOINT, it goes to that endpoint."""
    try:
        import pyarrow.fs as pafs
    except ImportError:
        return
    real = getattr(pafs, 'PipewrightRealGcsFileSystem', pafs.GcsFileSystem)
    pafs.PipewrightRealGcsFileSystem = real
    where = pipewright_bridge.request('gcs.filesystem', profile=task['profile'])
    if 'endpoint' in where:
        url = urlparse(where['endpoint'])

        def endpoint_filesystem(*args, **kwargs):
            return real(*args, **{'endpoint_override': url.netloc, 'scheme': url.scheme, 'anonymous': True, **kwargs})

        pafs.GcsFileSystem = endpoint_filesystem
        return
    if 'local' not in where:
        pafs.GcsFileSystem = real
        return
    buckets = where['local']

    def local_filesystem(*args, **kwargs):
        os.makedirs(buckets, exist_ok=True)
        return pafs.SubTreeFileSystem(buckets, pafs.LocalFileSystem())

    pafs.GcsFileSystem = local_filesystem


def run_attached(task, found, inputs):
    """A conditional (its @condition functions on the guarded block's inputs, AND-ed) or a callback
    (its @callback functions for the parent's status, or Mage's older @on_success / @on_failure)."""
    block = task['block']
    kwargs = kwargs_of(task)
    parent = task.get('guards') or task['callback']['parent']
    kwargs['parent_block_uuid'] = parent
    try:
        if task.get('guards'):
            conditions = found.get('condition', [])
            if not conditions:
                raise BlockFailure('runtime', f"Condition \"{block['uuid']}\" has no function decorated with @condition", block['file'])
            decided = all(bool(call(fn, inputs, kwargs)) for fn in conditions)
            return {'kind': 'done', 'output': {'kind': 'none', 'files': []}, 'tests': {'passed': 0, 'total': 0}, 'condition': decided}
        on = task['callback']['on']
        if task['callback'].get('error'):
            kwargs['error'] = task['callback']['error']['message']
        for fn in found.get('callback', []):
            if on in fn.pipewright_statuses:
                call(fn, inputs, kwargs)
        for fn in found.get('on_success' if on == 'success' else 'on_failure', []):
            fn(**kwargs)
        return {'kind': 'done', 'output': {'kind': 'none', 'files': []}, 'tests': {'passed': 0, 'total': 0}}
    except BlockFailure:
        raise
    except ModuleNotFoundError as error:
        raise missing_module(error, task)
    except Exception as error:
        raise user_error(error, task)


def run(task):
    block = task['block']
    file = block['file']
    inputs = [read_input(task, upstream) for upstream in task['upstream']]
    found, decorators = collectors(block['type'])
    scope = {'__name__': f"pipewright_block_{block['uuid']}", '__builtins__': __builtins__, **decorators}
    for index, (upstream, value) in enumerate(zip(task['upstream'], inputs)):
        scope[f'df_{index + 1}'] = value
        scope[upstream['uuid']] = value
    with open(file, encoding='utf-8') as f:
        source = f.read()
    if 'GcsFileSystem' in source:
        local_gcs(task)
    try:
        exec(compile(source, file, 'exec'), scope)
    except ModuleNotFoundError as error:
        raise missing_module(error, task)
    except SyntaxError as error:
        raise BlockFailure('syntax', f'SyntaxError: {error.msg}', file, error.lineno)
    except Exception as error:
        raise user_error(error, task)
    if task.get('guards') or task.get('callback'):
        return run_attached(task, found, inputs)
    functions = found.get(block['type'], [])
    if not functions:
        raise BlockFailure('runtime', f"Block \"{block['uuid']}\" has no function decorated with @{block['type']}", file)
    fn = functions[0]
    count, takes_args, _ = positional_count(fn)
    if not takes_args and count > len(inputs):
        raise BlockFailure('runtime', f"Block {block['uuid']} may be missing upstream dependencies. It expected to have {count} arguments, but only received {len(inputs)}. Confirm that the @{block['type']} method declaration has the correct number of arguments.", file)
    if not takes_args and count < len(inputs):
        raise BlockFailure('runtime', f"Block {block['uuid']} has too many input arguments. It expected to have {count} arguments, but received {len(inputs)}. Confirm that the @{block['type']} method declaration has the correct number of arguments.", file)
    kwargs = kwargs_of(task)
    arguments = inputs if takes_args or count else []
    try:
        if block['type'] == 'sensor':
            return sense(task, fn, arguments, kwargs)
        result = call(fn, arguments, kwargs)
    except ModuleNotFoundError as error:
        raise missing_module(error, task)
    except Exception as error:
        raise user_error(error, task)
    outputs = list(result) if isinstance(result, (list, tuple)) else ([] if result is None else [result])
    try:
        tests = run_tests(task, found, outputs, kwargs)
    except BlockFailure:
        raise
    except Exception as error:
        raise user_error(error, task)
    return {'kind': 'done', 'output': store(task, first_output(result)), 'tests': tests}


def main():
    # Ctrl-C reaches the whole process group: the runtime decides what it stops (and kills this
    # process then), so a block never sees it as its own KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for line in sys.stdin:
        if not line.strip():
            continue
        task = json.loads(line)
        pipewright_bridge.task = task
        root = task['projectRoot']
        os.chdir(root)
        os.environ['MAGE_RUNTIME__REPO_PATH'] = root
        for path in (os.path.dirname(root), root):
            if path not in sys.path:
                sys.path.insert(0, path)
        try:
            answer = run(task)
        except BlockFailure as failure:
            answer = {'kind': 'failed', 'error': failure.detail}
        except BaseException as error:  # noqa: BLE001 - anything else is still the block's failure
            answer = {'kind': 'failed', 'error': {'code': 'runtime', 'message': f'{type(error).__name__}: {error}', 'stack': traceback.format_exc()}}
        sys.stdout.flush()
        sys.stderr.flush()
        send(answer)


if __name__ == '__main__':
    main()
