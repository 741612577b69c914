class ChatError(Exception):
    """A refused action, shown to the client as an error frame or a page message."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.fields = {}  # more members of the error frame (e.g. retry_after)


class AccessDenied(ChatError):
    def __init__(self, detail: str = "You have no access to this dialog."):
        super().__init__("forbidden", detail)


class NotFound(ChatError):
    def __init__(self, detail: str = "No such dialog."):
        super().__init__("not_found", detail)
