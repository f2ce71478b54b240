class ApplicationError(Exception):
    """The one error type services raise: its message is shown to the user as it is, so it is
    written for them (and translatable); `extra` carries field-level details for forms."""

    def __init__(self, message: str, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
