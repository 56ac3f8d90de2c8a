"""mage_ai.settings.repo: where the project is."""
import os


def get_repo_path(*args, **kwargs):
    return os.environ.get('MAGE_RUNTIME__REPO_PATH') or os.getcwd()
