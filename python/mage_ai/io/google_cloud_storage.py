"""mage_ai.io.google_cloud_storage.GoogleCloudStorage through the runtime's object store.

With an embedded profile the objects live in the project's local bucket folders; otherwise in Cloud
Storage through the profile's credentials (the runtime's client: Python needs none of Google's).
"""
import pandas as pd

import pipewright_bridge
from mage_ai.io import _formats


class GoogleCloudStorage:
    def __init__(self, profile='default', **kwargs):
        self.profile = profile

    @classmethod
    def with_config(cls, config, **kwargs):
        return cls(profile=getattr(config, 'profile', 'default'), **kwargs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

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
