from chat.errors import ChatError


class CrmError(ChatError):
    """A refused CRM action, shown to the operator as a page message."""
