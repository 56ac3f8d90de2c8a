"""The Python side's line to the runtime: answers on file descriptor 3, requests answered on stdin.

mage_ai.io's classes hand their work to the runtime through `request`: the data goes over as a
parquet file, so the runtime's connectors (binary COPY, atomic replace, the embedded profile,
redaction) do the work, and Python needs no database or cloud client of its own.
"""

import itertools
import json
import os
import sys

PROTOCOL = os.fdopen(3, 'w', buffering=1, encoding='utf-8')
# The task being run (set by the runner): its settings hold the run's resolved profiles.
task = None
_ids = itertools.count(1)
_files = itertools.count(1)


def send(message):
    PROTOCOL.write(json.dumps(message, default=str) + '\n')


class RuntimeError_(Exception):
    """What the runtime said went wrong with a request."""


def request(service, **arguments):
    """Asks the runtime for a service and waits for its answer."""
    ident = next(_ids)
    send({'kind': 'request', 'id': ident, 'service': service, **arguments})
    line = sys.stdin.readline()
    if not line:
        raise SystemExit('The runtime went away')
    answer = json.loads(line)
    if answer.get('id') != ident:
        raise RuntimeError_(f'Internal error: answer {answer.get("id")} to request {ident}')
    if 'error' in answer:
        raise RuntimeError_(answer['error'])
    return answer.get('value')


def work_file(suffix):
    """A new file in the block's work folder, for data on its way to or from the runtime."""
    folder = task['workDir']
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, f'mage_io_{next(_files)}{suffix}')


def profile(name):
    """A profile of io_config.yaml as the run resolved it; its problem (unset variable, unknown name) as an error."""
    try:
        return request('config.profile', profile=name)
    except RuntimeError_ as error:
        raise ValueError(str(error)) from None
