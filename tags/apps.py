from django.apps import AppConfig


class TagsConfig(AppConfig):
    """An account's tags (colour, name) on dialogs: the dialog header, the tab rows, History
    and Leads filters, the Leads CSV and the CRM payload (docs/tags.md)."""

    name = "tags"
    verbose_name = "Tags"

    def ready(self):
        # chat never imports tags: it offers extension points, tags fills them.
        from chat.console import history_columns, row_parts
        from tags import history, rows

        history_columns.register(history.tags_column())
        row_parts.register(rows.tags_row_part())
