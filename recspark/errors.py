"""Named exceptions. Anything a user can fix by changing their input exits with code 2."""


class RecsparkError(Exception):
    """Base of every error recspark raises on purpose."""

    exit_code = 1


class InputError(RecsparkError):
    """Bad input: config, paths, tables. The message says what was expected and what was found."""

    exit_code = 2


class ConfigError(InputError):
    """A config key has a value recspark cannot use."""

    def __init__(self, key: str, expected: str, found: object) -> None:
        self.key = key
        self.expected = expected
        self.found = found
        super().__init__(f"config error: {key}: expected {expected}, got {found!r}")


class DatasetError(InputError):
    """A dataset in the lake is missing or not what recspark wrote."""


class SetupError(RecsparkError):
    """The environment lacks something recspark needs (Delta jars, Java)."""

    exit_code = 2
