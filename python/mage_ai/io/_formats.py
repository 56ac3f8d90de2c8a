"""How the stand-in reads and writes a DataFrame by format (Mage picks the format from the file's extension)."""
import os

import pandas as pd

from mage_ai.io.base import FileFormat


def format_of(path, format=None):
    if format is not None:
        return FileFormat(getattr(format, 'value', format))
    extension = os.path.splitext(path)[1].lstrip('.').lower()
    try:
        return FileFormat(extension)
    except ValueError:
        raise ValueError(f'Cannot tell the format of "{path}" from its extension: name it .parquet, .csv or .json, or pass format=')


def write(df, path, format):
    if format == FileFormat.PARQUET:
        df.to_parquet(path, index=False)
    elif format == FileFormat.CSV:
        df.to_csv(path, index=False)
    elif format == FileFormat.JSON:
        df.to_json(path, orient='records')
    else:
        raise ValueError(f'Pipewright\'s stand-in for mage_ai writes parquet, csv and json, not {format.value}')


def read(path, format):
    if format == FileFormat.PARQUET:
        return pd.read_parquet(path)
    if format == FileFormat.CSV:
        return pd.read_csv(path)
    if format == FileFormat.JSON:
        return pd.read_json(path, orient='records')
    raise ValueError(f'Pipewright\'s stand-in for mage_ai reads parquet, csv and json, not {format.value}')
