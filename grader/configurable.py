"""One way to build a settings class from ``nbgrader_config.py``: a wrong value becomes a ``ConfigError`` that
names the key and says where to fix it (every loader of the package goes through ``configured``)."""

from __future__ import annotations

from typing import Any, TypeVar

from traitlets import TraitError
from traitlets.config import Configurable

from grader.errors import ConfigError

C = TypeVar("C", bound=Configurable)


def configured(cls: type[C], config: Any) -> C:
    """``cls(config=config)``; a ``TraitError`` (a validator's "Class.key: why", or traitlets' own message)
    becomes ``ConfigError(key, why + " (fix it in nbgrader_config.py)")``."""
    try:
        return cls(config=config)
    except TraitError as exc:
        raise config_error(exc, cls.__name__) from exc


def config_error(exc: TraitError, default_key: str) -> ConfigError:
    """The ``ConfigError`` for a ``TraitError``: the key is the message's "Class.key:" prefix when it has one."""
    message = str(exc)
    key, sep, why = message.partition(":")
    if sep and key and " " not in key.strip():
        return ConfigError(key.strip(), why.strip() + " (fix it in nbgrader_config.py)")
    return ConfigError(default_key, message.strip() + " (fix it in nbgrader_config.py)")
