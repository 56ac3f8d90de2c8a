"""What the stand-in's I/O classes share: a profile of io_config.yaml, Mage's with_config and `with`."""


class RuntimeIO:
    """Hands its work to the runtime's connector for a profile (the runtime resolved it for the run)."""

    def __init__(self, profile='default', **kwargs):
        self.profile = profile

    @classmethod
    def with_config(cls, config, **kwargs):
        return cls(profile=getattr(config, 'profile', 'default'), **kwargs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def open(self):
        return self

    def close(self):
        pass
