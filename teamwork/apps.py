from django.apps import AppConfig


class TeamworkConfig(AppConfig):
    """Operators working together on a dialog: internal notes (with @mentions) and
    transfers (docs/teamwork.md)."""

    name = "teamwork"
    verbose_name = "Teamwork"

    def ready(self):
        # chat never imports teamwork: it offers extension points, teamwork fills them.
        from chat import hooks
        from chat.console import history_columns, transcript_items
        from chat.messaging import system_lines
        from chat.realtime import extensions
        from teamwork import history, notes, receivers, selectors, transfers

        extensions.register_operator_frame("note", notes.note_from_frame)
        extensions.register_operator_frame("notes", notes.notes_from_frame)
        transcript_items.register(selectors.transcript_notes)
        history_columns.register(history.notes_column())
        hooks.visitor_erased.connect(receivers.visitor_erased)
        system_lines.register("continues", transfers.continues_line)
