from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chat.models import Site
from replies.models import CannedReply


class ShortcutField(forms.SlugField):
    """People type the slash they will type in the composer; it is not part of the name."""

    def to_python(self, value):
        return super().to_python(value).strip().lstrip("/")


class CannedReplyForm(forms.ModelForm):
    """Checks a reply of one account (its sites only, a shortcut free in it); the view saves
    the cleaned data through replies.services."""

    class Meta:
        model = CannedReply
        fields = ["shortcut", "title", "text", "site", "position"]
        field_classes = {"shortcut": ShortcutField}
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["site"].queryset = Site.objects.filter(account=account).order_by("name")
        self.fields["site"].empty_label = _("All sites")
        self.fields["position"].required = False
        self.fields["text"].max_length = settings.CHAT_MESSAGE_MAX_LENGTH
        self.fields["text"].widget.attrs["maxlength"] = settings.CHAT_MESSAGE_MAX_LENGTH

    def clean_shortcut(self):
        shortcut = self.cleaned_data["shortcut"]
        taken = CannedReply.objects.filter(account=self.account, shortcut__iexact=shortcut)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another reply already has this shortcut."))
        return shortcut

    def clean_position(self):
        return self.cleaned_data["position"] or 0
