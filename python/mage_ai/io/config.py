"""mage_ai.io.config: a profile of io_config.yaml, as the run resolved it ({{ env_var() }} rendered)."""
from enum import Enum

import pipewright_bridge


class ConfigKey(str, Enum):
    GOOGLE_SERVICE_ACC_KEY = 'GOOGLE_SERVICE_ACC_KEY'
    GOOGLE_SERVICE_ACC_KEY_FILEPATH = 'GOOGLE_SERVICE_ACC_KEY_FILEPATH'
    GOOGLE_LOCATION = 'GOOGLE_LOCATION'
    POSTGRES_CONNECT_TIMEOUT = 'POSTGRES_CONNECT_TIMEOUT'
    POSTGRES_DBNAME = 'POSTGRES_DBNAME'
    POSTGRES_HOST = 'POSTGRES_HOST'
    POSTGRES_PASSWORD = 'POSTGRES_PASSWORD'
    POSTGRES_PORT = 'POSTGRES_PORT'
    POSTGRES_SCHEMA = 'POSTGRES_SCHEMA'
    POSTGRES_USER = 'POSTGRES_USER'


def _key(key):
    return key.value if isinstance(key, Enum) else key


class ConfigFileLoader:
    """Mage's loader of one io_config.yaml profile: `.get(key)`, `key in loader`, `loader[key]`.

    The file is the project's io_config.yaml, which the run has already read and resolved; `config`
    (a dict) is used as it is instead, as in Mage.
    """

    def __init__(self, filepath=None, profile='default', config=None):
        self.filepath = filepath
        self.profile = profile
        self.config = dict(config) if config is not None else pipewright_bridge.profile(profile)

    def get(self, key):
        return self.config.get(_key(key))

    def __contains__(self, key):
        return _key(key) in self.config

    def __getitem__(self, key):
        return self.config[_key(key)]
