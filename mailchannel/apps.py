from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailchannelConfig(AppConfig):
    """E-mail as a channel (docs/channels.md): answers to visitors who left, transcripts,
    lead notices out by SMTP; replies in from an IMAP mailbox."""

    name = "mailchannel"
    verbose_name = "E-mail"

    def ready(self):
        # chat never imports mailchannel: it offers extension points, mailchannel fills them.
        from chat import hooks
        from chat.console import channels, row_parts, transcript_items
        from chat.messaging import system_lines
        from engage import site_settings
        from mailchannel import channel, inbound, outbound, rows, transcript, views

        transcript_items.register(transcript.delivery_items)
        channels.register(channel.email_channel())
        row_parts.register(rows.email_row_part())  # the tab rows' "✉ E-mail"
        hooks.message_posted.connect(outbound.message_posted, wants=outbound.wants_message)
        hooks.dialog_ended.connect(outbound.dialog_ended)
        hooks.lead_created.connect(outbound.lead_created)
        hooks.visitor_erased.connect(outbound.visitor_erased)
        site_settings.register_section(
            site_settings.Section(
                key="email",
                title=_("E-mail"),
                order=30,
                route="email/",
                view=views.site_email,
            )
        )
        system_lines.register("reopened_by_mail", inbound.reopened_line)
