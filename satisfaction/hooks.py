"""What other apps may hear from satisfaction (which imports none of them), sent once the
change is committed, like chat's own hooks (chat/hooks.py).

    hooks.dialog_rated.connect(fn)     # fn(rating=...)
"""

from chat.hooks import Hook

# A visitor rated a dialog or changed his rating (satisfaction.services.rate_dialog):
# receivers get rating=. crm sends the export of the dialog that waited for it.
dialog_rated = Hook("dialog_rated")
