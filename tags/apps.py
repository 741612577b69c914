from django.apps import AppConfig, apps


class TagsConfig(AppConfig):
    """An account's tags (colour, name) on dialogs: the dialog header, the tab rows, History,
    Leads and Reports filters, the Leads CSV and the CRM payload (docs/tags.md)."""

    name = "tags"
    verbose_name = "Tags"

    def ready(self):
        # chat never imports tags: it offers extension points, tags fills them.
        from chat.console import history_columns, row_parts
        from tags import history, rows

        history_columns.register(history.tags_column())
        row_parts.register(rows.tags_row_part())
        if apps.is_installed("reports"):  # reports offers the filter point, tags fills it
            from reports import dialog_filters
            from tags import report_filter

            dialog_filters.register(report_filter.tag_filter())
