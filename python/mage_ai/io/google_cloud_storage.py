"""mage_ai.io.google_cloud_storage.GoogleCloudStorage through the runtime's object store.

With an embedded profile the objects live in the project's local bucket folders; otherwise in Cloud
Storage through the profile's credentials (the runtime's client: Python needs none of Google's).
"""
import pandas as pd

import pipewright_bridge
from mage_ai.io import _formats
from mage_ai.io._runtime import RuntimeIO


class GoogleCloudStorage(RuntimeIO):
    def export(self, df, bucket_name, object_key, format=None, **kwargs):
        kind = _formats.format_of(object_key, format)
        file = pipewright_bridge.work_file('.' + kind.value)
        _formats.write(df, file, kind)
        pipewright_bridge.request('gcs.put', profile=self.profile, file=file, bucket=bucket_name, object=object_key)

    def load(self, bucket_name, object_key, format=None, **kwargs):
        kind = _formats.format_of(object_key, format)
        local = pipewright_bridge.request('gcs.fetch', profile=self.profile, bucket=bucket_name, object=object_key)
        # Mage gives an empty DataFrame for an object that is not there.
        return pd.DataFrame() if local is None else _formats.read(local, kind)

    def exists(self, bucket_name, prefix):
        return len(pipewright_bridge.request('gcs.list', profile=self.profile, bucket=bucket_name, prefix=prefix)) > 0
