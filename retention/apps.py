from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    """Per-account retention: old dialogs, attachments and leads erased in small batches
    (docs/operations.md, "Retention")."""

    name = "retention"
    verbose_name = _("Retention")
