"""What the widget's two forms accept: the offline form and "introduce yourself".

Errors are the messages the widget shows under each field (docs/protocol.md, Leads).
"""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chat.models import Visitor
from leads import phones
from leads.models import Lead

NAME_MAX = Lead._meta.get_field("name").max_length
PHONE_INPUT_MAX = 40  # what a person types, separators included
URL_MAX = Lead._meta.get_field("page_url").max_length
# Control characters other than newline and tab never belong in a form (NUL included).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _plain(text: str) -> str:
    return _CONTROL.sub("", text).strip()


class ContactForm(forms.Form):
    """Name, email, phone (normalised to E.164), the page and the honeypot."""

    name = forms.CharField(
        max_length=NAME_MAX,
        required=False,
        error_messages={"max_length": _("The name is too long (at most %(limit_value)d).")},
    )
    email = forms.EmailField(
        max_length=Visitor._meta.get_field("email").max_length,
        required=False,
        error_messages={"invalid": _("Enter a valid email address, like name@example.com.")},
    )
    phone = forms.CharField(max_length=PHONE_INPUT_MAX, required=False)
    page_url = forms.CharField(max_length=URL_MAX, required=False)
    # The honeypot: hidden in the widget, so only a robot fills it (leads.services).
    website = forms.CharField(required=False)

    def clean_name(self):
        return _plain(self.cleaned_data["name"])

    def clean_phone(self):
        phone = _plain(self.cleaned_data["phone"])
        return phones.normalise(phone) if phone else ""

    def clean_page_url(self):
        url = _plain(self.cleaned_data["page_url"])
        # Only http(s): the console shows it as a link.
        return url if url.lower().startswith(("http://", "https://")) else ""

    @property
    def is_spam(self) -> bool:
        return bool(str(self.data.get("website") or "").strip())


class OfflineForm(ContactForm):
    """No operator online: a name, a way to answer (email or phone) and the message."""

    message = forms.CharField(
        max_length=settings.CHAT_MESSAGE_MAX_LENGTH,
        error_messages={
            "required": _("Write your message."),
            "max_length": _("The message is too long (at most %(limit_value)d characters)."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["name"].error_messages["required"] = _("Enter your name.")

    def clean_name(self):
        name = super().clean_name()
        if not name:
            raise forms.ValidationError(_("Enter your name."), code="required")
        return name

    def clean_message(self):
        message = _plain(self.cleaned_data["message"])
        if not message:
            raise forms.ValidationError(_("Write your message."), code="required")
        return message

    def clean(self):
        data = super().clean()
        no_contact = not data.get("email") and not data.get("phone")
        if no_contact and not self.has_error("email") and not self.has_error("phone"):
            self.add_error(
                "email", _("Leave an email or a phone number so that we can answer you.")
            )
        return data


class IntroduceForm(ContactForm):
    """During a chat: any of name, email and phone, at least one."""

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(f) for f in ("name", "email", "phone")):
            self.add_error("name", _("Fill in at least one field."))
        return data
