class TranscribeError(Exception):
    """A failure reported to the caller as {"error": {"code", "message"}}."""

    def __init__(self, code, message, retry_after_sec=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after_sec = retry_after_sec

    def to_json(self):
        error = {"code": self.code, "message": self.message}
        if self.retry_after_sec is not None:
            error["retryAfterSec"] = self.retry_after_sec
        return {"error": error}
