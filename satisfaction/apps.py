from django.apps import AppConfig


class SatisfactionConfig(AppConfig):
    """Visitors rate their ended dialogs (CSAT): the widget's rating card, the rating in the
    console (dialog header, visitor card, History) and in the CRM payload."""

    name = "satisfaction"
    verbose_name = "Satisfaction"

    def ready(self):
        # chat never imports satisfaction: it offers extension points, satisfaction fills them.
        from chat import hooks
        from chat.console import history_columns
        from chat.realtime import extensions
        from satisfaction import history, receivers, services

        extensions.register_visitor_frame("rate", services.rate_from_frame)
        hooks.visitor_erased.connect(receivers.visitor_erased)
        history_columns.register(history.rating_column())
