#!/usr/bin/env bash
# Makes the Python the tests and benchmarks run Python blocks with: a venv with pandas, pyarrow,
# requests, polars and psycopg2 (the benchmark's reference), in .cache/python (made once; run again,
# it only checks). Pipewright itself never installs anything into a user's Python: this is the test
# suite's own interpreter. PYTHON chooses the base (python3).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.cache/python
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import pandas, pyarrow, requests, polars, psycopg2' 2>/dev/null; then
  echo "Python for the tests: $venv ($("$venv/bin/python" --version))"
  exit 0
fi
rm -rf "$venv"
"${PYTHON:-python3}" -m venv "$venv"
index=()
# A package store on this machine: use it instead of trying the public index first (minutes, offline).
if [ -d /opt/pypi/simple ]; then index=(--index-url file:///opt/pypi/simple); fi
"$venv/bin/pip" install --quiet "${index[@]}" pandas pyarrow requests polars psycopg2-binary
"$venv/bin/python" -c 'import pandas, pyarrow; print("Python for the tests:", pandas.__version__, pyarrow.__version__)'
