from django.apps import AppConfig


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
        from messengers import history, outbound, rows, transcript, widget

        row_parts.register(rows.channel_row_part())
        history_columns.register(history.channel_column())
        transcript_items.register(transcript.delivery_items)
        outbound_checks.register(outbound.check_attachment)
        hooks.message_posted.connect(outbound.message_posted, wants=outbound.wants_message)
        extensions.register_hello_part("telegram", widget.hello_part)
