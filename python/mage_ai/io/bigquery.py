"""mage_ai.io.bigquery.BigQuery through the runtime's warehouse connector (the embedded profile's local warehouse, or BigQuery)."""
import pandas as pd

import pipewright_bridge
from mage_ai.io.base import ExportWritePolicy
from mage_ai.io._runtime import RuntimeIO


class BigQuery(RuntimeIO):
    def export(self, df, table_id, if_exists=ExportWritePolicy.REPLACE, **kwargs):
        parts = table_id.split('.')
        if len(parts) not in (2, 3):
            raise ValueError(f'BigQuery.export: table_id "{table_id}" must be dataset.table or project.dataset.table')
        dataset, table = parts[-2], parts[-1]
        file = pipewright_bridge.work_file('.parquet')
        df.to_parquet(file, index=False)
        policy = getattr(if_exists, 'value', if_exists)
        return pipewright_bridge.request('bigquery.export', profile=self.profile, file=file, dataset=dataset, table=table, ifExists=str(policy))

    def load(self, query_string, **kwargs):
        file = pipewright_bridge.work_file('.parquet')
        pipewright_bridge.request('bigquery.load', profile=self.profile, query=query_string, file=file)
        return pd.read_parquet(file)
