"""A small error hierarchy. Every error a user can fix derives from AssistantError;
the CLI prints its message (no traceback) and the API maps it to a 4xx."""

from __future__ import annotations


class AssistantError(Exception):
    """Base for errors the user can fix. The message is Chinese first, then English ("中文 / English");
    `en=` gives the English part explicitly, so a user's value quoted in the message cannot split it wrongly."""

    exit_code = 1
    http_status = 400

    def __init__(self, message: str = "", *args: object, en: str | None = None) -> None:
        super().__init__(f"{message} / {en}" if en else message, *args)
        self._parts = (message, en) if en else None

    @property
    def parts(self) -> tuple[str, str]:
        """(zh, en) for the REST error body."""
        if self._parts:
            return self._parts
        zh, _, en = str(self).partition(" / ")
        return zh, en or zh


class CorpusFormatError(AssistantError):
    """The notice text does not follow the numbering conventions (一、 （一） 附件N)."""


class UnknownClauseError(AssistantError, KeyError):
    """A clause ID that the notice does not have."""

    exit_code = 2
    http_status = 404

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class InvalidInputError(AssistantError, ValueError):
    """A question or fact value that cannot be processed (empty, too long, not text, unknown enum)."""

    exit_code = 2
    http_status = 422


class IndexError_(AssistantError):
    """The index is missing, broken, or was built by another embedding model."""

    exit_code = 3
    http_status = 503


class IndexMismatchError(IndexError_):
    """The index was built with another model, corpus or splitter than the settings ask for."""


class ConfigError(AssistantError):
    """A setting has an impossible value (unknown backend, missing model folder)."""

    exit_code = 2


class PortInUseError(AssistantError):
    """The web/API port is taken by another program."""

    exit_code = 5


class BusyError(AssistantError):
    """A request ran past its time budget."""

    http_status = 503
