"""Mage's block decorators, as identities (the runner collects the functions itself)."""


def _identity(fn=None, *args, **kwargs):
    if fn is None or not callable(fn):
        return lambda inner: inner
    return fn


data_loader = transformer = data_exporter = custom = sensor = test = preprocesser = condition = callback = on_success = on_failure = _identity
