from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessengersConfig(AppConfig):
    """Telegram and VK in the console (docs/channels.md). The Python name is not
    `channels`: that is Django Channels' package."""

    name = "messengers"
    verbose_name = "Messengers"

    def ready(self):
        # chat never imports messengers: it offers extension points, messengers fills them.
        from chat import hooks
        from chat.console import history_columns, row_parts, transcript_items
        from chat.messaging import outbound_checks
        from chat.realtime import extensions
        from engage import site_settings
        from messengers import history, outbound, rows, transcript, widget

        row_parts.register(rows.channel_row_part())
        history_columns.register(history.channel_column())
        transcript_items.register(transcript.delivery_items)
        outbound_checks.register(outbound.check_attachment)
        hooks.message_posted.connect(outbound.message_posted, wants=outbound.wants_message)
        extensions.register_hello_part("telegram", widget.hello_part)
        # Its settings page (the Channels of all the operator's sites) is its own, mounted in
        # config/urls.py; the operator menu's link to it is a Site settings entry.
        site_settings.register_entry(
            site_settings.MenuEntry(
                key="channels",
                title=_("Channels"),
                order=20,
                url_name="messengers_console:list",
                element_id="messengers-link",
            )
        )
