"""mage_ai.io.file.FileIO: a DataFrame to and from a local file, in the format its extension names."""
from mage_ai.io import _formats


class FileIO:
    def __init__(self, *args, **kwargs):
        pass

    @classmethod
    def with_config(cls, config=None, **kwargs):
        return cls()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def export(self, df, filepath, format=None, **kwargs):
        _formats.write(df, filepath, _formats.format_of(filepath, format))

    def load(self, filepath, format=None, **kwargs):
        return _formats.read(filepath, _formats.format_of(filepath, format))
