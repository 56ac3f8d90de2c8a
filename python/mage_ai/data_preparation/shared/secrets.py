"""mage_ai.data_preparation.shared.secrets: secrets from the environment and the project's .env / dev.env."""
import os

import pipewright_bridge


def get_secret_value(name, repo_name=None, **kwargs):
    value = os.environ.get(name)
    if value is None and pipewright_bridge.task is not None:
        value = pipewright_bridge.task['settings']['env'].get(name)
    if value is None:
        raise ValueError(f'Secret "{name}" is not set: Pipewright reads secrets from the environment and the project\'s .env; add {name}=... to .env')
    return value
