"""The "Tag" filter of the Reports page (reports/dialog_filters.py): only the dialogs
carrying a tag of the viewer's account count in its figures and CSV tables."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.dialog_filters import DialogFilter
from tags import selectors


def tag_field(account_id) -> forms.ModelChoiceField:
    """Another account's tag id is an invalid choice: the page says so and shows nothing."""
    return forms.ModelChoiceField(
        label=_("Tag"),
        empty_label=_("Any tag"),
        queryset=selectors.account_tags(account_id),
        required=False,
    )


def tag_filter() -> DialogFilter:
    return DialogFilter(name="tag", field=tag_field, dialogs=selectors.dialog_ids_tagged)
