from django import forms
from django.utils.translation import gettext_lazy as _

from tags import palette
from tags.models import NAME_MAX_LENGTH, Tag


class TagForm(forms.Form):
    """A tag of one account: a name free in it (letter case aside), a palette colour; the
    view saves the cleaned data through tags.services."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH, strip=True)
    colour = forms.ChoiceField(
        label=_("Colour"),
        choices=palette.COLOURS,
        initial=palette.DEFAULT,
        widget=forms.RadioSelect(attrs={"class": "tag-colour-input"}),
    )

    def __init__(self, *args, account_id: int, tag: Tag | None = None, **kwargs):
        if tag is not None:
            kwargs.setdefault("initial", {"name": tag.name, "colour": tag.colour})
        super().__init__(*args, **kwargs)
        self.account_id = account_id
        self.tag = tag

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the tag a name."))
        taken = Tag.objects.filter(account_id=self.account_id, name__iexact=name)
        if self.tag is not None:
            taken = taken.exclude(pk=self.tag.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another tag already has this name."))
        return name
