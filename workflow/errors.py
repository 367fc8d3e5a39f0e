"""The engine's errors: one base class whose every kind carries a message fit for a user.

The web layer shows `str(error)` as it is, so every message is Chinese and says why. Nothing here
knows about HTTP; `webui/errors.py` maps the kinds to status codes.
"""


class WorkflowError(Exception):
    """A refusal by the engine. `message` is shown to the user; `code` is stable for programs."""

    code = "workflow_error"

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


class NotFound(WorkflowError):
    """The object does not exist (or the actor may not know that it does)."""

    code = "not_found"


class Forbidden(WorkflowError):
    """The actor may not do this to this object."""

    code = "forbidden"


class InvalidState(WorkflowError):
    """The object is not in a state where the action is allowed."""

    code = "invalid_state"


class InvalidInput(WorkflowError):
    """A value is missing or malformed (a reason, a recipient list, a date …)."""

    code = "invalid_input"


class Conflict(WorkflowError):
    """Someone else changed the object first (optimistic locking) or a unique value is taken."""

    code = "conflict"

    def __init__(self, message: str = "已被他人处理，请刷新后重试", **details):
        super().__init__(message, **details)
