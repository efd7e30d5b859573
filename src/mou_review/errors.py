"""One error root so the CLI can turn any failure into one clear line and the right exit code."""

from __future__ import annotations


class MouReviewError(Exception):
    """Base error: carries the exit code and a hint saying what to do next."""

    exit_code = 2
    retryable = False

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class DocumentError(MouReviewError):
    """A file could not be turned into text: the message names the file and the reason."""

    def __init__(self, path: object, reason: str, *, hint: str | None = None) -> None:
        super().__init__(f"{path}: {reason}", hint=hint)
        self.path = str(path)
        self.reason = reason
        self.warnings: list[str] = []  # what was noticed before it failed (e.g. an encoding guess)

    def __reduce__(self) -> tuple[object, ...]:
        """Picklable, so a worker process can hand one back."""
        return type(self), (self.path, self.reason), {"hint": self.hint, "warnings": self.warnings}


class ConfigError(MouReviewError):
    """Bad settings or a malformed checklist/prompt file."""


class StoreError(MouReviewError):
    """The vector store could not be reached or is inconsistent."""

    retryable = True


class ReviewerError(MouReviewError):
    """A reviewer backend failed after its retries."""

    retryable = True
