"""mage_ai.io.postgres.Postgres: export, load and execute through the runtime's PostgreSQL connector.

A DataFrame goes to the runtime as parquet and into PostgreSQL with a binary COPY (a replace loads
a staging table and swaps it in one transaction); a query's result comes back as parquet. The
profile's settings (or the embedded PostgreSQL of an embedded profile) are the runtime's.
"""
import pandas as pd

import pipewright_bridge
from mage_ai.io._runtime import RuntimeIO
from mage_ai.io.base import ExportWritePolicy


class Postgres(RuntimeIO):

    def export(self, df, schema_name=None, table_name=None, index=True, if_exists=ExportWritePolicy.REPLACE, unique_conflict_method=None, unique_constraints=None, **kwargs):
        if table_name is None:
            raise ValueError('Postgres.export needs a table_name')
        frame = df.reset_index() if index and not isinstance(df.index, pd.RangeIndex) else df
        file = pipewright_bridge.work_file('.parquet')
        frame.to_parquet(file, index=False)
        policy = if_exists.value if isinstance(if_exists, ExportWritePolicy) else str(if_exists)
        arguments = {'profile': self.profile, 'file': file, 'table': table_name, 'ifExists': policy}
        if schema_name:
            arguments['schema'] = schema_name
        if unique_constraints:
            arguments['uniqueConstraints'] = list(unique_constraints)
            arguments['uniqueConflictMethod'] = str(getattr(unique_conflict_method, 'value', unique_conflict_method) or 'UPDATE').upper()
        return pipewright_bridge.request('postgres.export', **arguments)

    def load(self, query_string, limit=None, **kwargs):
        file = pipewright_bridge.work_file('.parquet')
        query = query_string if limit is None else f'SELECT * FROM ({query_string}) AS q LIMIT {int(limit)}'
        pipewright_bridge.request('postgres.load', profile=self.profile, query=query, file=file)
        return pd.read_parquet(file)

    def execute(self, query_string, **kwargs):
        pipewright_bridge.request('postgres.execute', profile=self.profile, query=query_string)
