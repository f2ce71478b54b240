class ApplicationError(Exception):
    """The one error type services raise. Its message is shown to the user as it is, so it is
    written for them (and translatable); `code` names the refusal in a way that does not
    change with the wording or the language, for tests and callers that branch on it; `extra`
    carries field-level details for forms."""

    def __init__(self, message: str, *, code: str, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}

    def __repr__(self) -> str:
        return f"ApplicationError(code={self.code!r}, message={self.message!r})"
