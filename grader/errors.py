"""The project's one error hierarchy.

    GraderError                      anything the user can act on; the CLI prints it without a traceback
    ├── CourseError                  no course folder, a broken nbgrader_config.py, a missing assignment
    ├── ConfigError                  a policy knob with an invalid value (names the key)
    ├── PolicyInputError             invalid input to the grade formula (names the student and the field)
    ├── RosterError                  a roster file that cannot be imported (names the line)
    ├── ReleaseError                 generate_assignment failed, or the release leaks instructor material
    ├── SandboxError                 no usable sandbox on this machine
    ├── LinkError                    a repository link that cannot be used (shows what a valid link looks like)
    ├── ProjectError                 a final project that cannot be checked, graded or imported
    └── ExternalServiceError         a remote service (GitHub, Telegram) refused or failed
        ├── NotFoundError
        ├── AccessDeniedError
        │   └── NotOwnerError        a readable repository the student neither owns nor collaborates on
        ├── BadCredentialsError
        ├── RateLimitedError         carries ``retry_after`` (seconds)
        └── ServerError

Every message says what is wrong and what to do next.
"""

from __future__ import annotations


class GraderError(Exception):
    """Base class: an error the user can act on."""


class CourseError(GraderError):
    """The course folder or one of its assignments cannot be used."""


class ConfigError(GraderError):
    """A configuration value is invalid; the message names the key."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"{key}: {message}")


class PolicyInputError(GraderError):
    """Invalid input to the grading policy; names the student and the field."""

    def __init__(self, student: str | None, field: str, message: str) -> None:
        self.student = student
        self.field = field
        who = f"student {student!r}" if student is not None else "input"
        super().__init__(f"{who}, field {field!r}: {message}")


class RosterError(GraderError):
    """A roster file was refused; nothing was imported."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        prefix = f"line {line}: " if line is not None else ""
        super().__init__(prefix + message)


class ReleaseError(GraderError):
    """Generating or verifying a released assignment failed."""


class SandboxError(GraderError):
    """The sandbox cannot be used on this machine."""


class LinkError(GraderError):
    """A repository link that cannot be used; the message shows what a valid link looks like."""


class ProjectError(GraderError):
    """A final project that cannot be checked, graded or imported."""


class ExternalServiceError(GraderError):
    """A remote service refused or failed a request."""


class NotFoundError(ExternalServiceError):
    pass


class AccessDeniedError(ExternalServiceError):
    pass


class NotOwnerError(AccessDeniedError):
    """The repository is readable, but the student's login neither owns it nor collaborates on it."""


class BadCredentialsError(ExternalServiceError):
    pass


class RateLimitedError(ExternalServiceError):
    def __init__(self, message: str, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class ServerError(ExternalServiceError):
    pass
