"""The values a reply's placeholders take in a dialog. The console fills them in the
browser (static/replies/composer-replies.js); a placeholder not named here stays as typed."""

from chat.models import Dialog
from operators.models import Operator

NAMES = ("visitor_name", "operator_name", "site_name", "dialog_number")


def dialog_values(dialog: Dialog, operator: Operator) -> dict[str, str]:
    """From rows the dialog page has already loaded: no query."""
    return {
        "visitor_name": dialog.visitor.display_name,
        "operator_name": operator.name,
        "site_name": dialog.site.name,
        "dialog_number": str(dialog.number),
    }
