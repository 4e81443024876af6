"""Errors the product raises for people to read: each message says what to do."""


class CollabError(Exception):
    """Base of every error whose message is meant for the person using the product."""


class NotFound(CollabError):
    """A round, organisation, code or receipt that does not exist."""


class Refused(CollabError):
    """A request that is understood but not allowed now (closed round, revoked code)."""


class InvalidAnswers(CollabError):
    """A submission with problems; ``problems`` maps learning point key to message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__(
            f"{len(problems)} learning point(s) need attention: " + ", ".join(problems)
        )


STORAGE_UNAVAILABLE_MESSAGE = (
    "Your answers could not be saved just now because the server's storage is full or "
    "cannot be written to. Your answers are still on this page: please try again later, "
    "and let your alliance coordinator know."
)


class StorageUnavailable(CollabError):
    """The database refused a write (disk full, read-only, unreadable); nothing was stored."""

    def __init__(self, message: str = STORAGE_UNAVAILABLE_MESSAGE):
        super().__init__(message)


DATABASE_BUSY_MESSAGE = (
    "The database is busy just now, so your answers were not saved yet. Your answers are "
    "still here: please try again in a moment."
)


class DatabaseBusy(CollabError):
    """Another process held the database's write lock for longer than the writer would wait;
    nothing was stored."""

    def __init__(self, message: str = DATABASE_BUSY_MESSAGE):
        super().__init__(message)
