"""Exceptions of the standard-land engine (all :class:`jiyue.errors.JiyueError`, exit code 1)."""

from __future__ import annotations

from jiyue.errors import JiyueError, ProfileError


class StandardLandError(JiyueError):
    """A standard-land command was refused because of the data (exit code 1)."""


class EventOrderError(StandardLandError, ValueError):
    """Life-cycle events out of order (in the data, or an event being recorded); ``problems`` lists each."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class RulesNotFound(ProfileError):
    """The rules named on the command line do not exist (a bad argument: exit code 2)."""

    exit_code = 2
