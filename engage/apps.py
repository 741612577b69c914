from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngageConfig(AppConfig):
    """Reaching visitors before they write (docs/engagement.md): who is on the site now,
    operator-started chats, proactive invitations and business hours. Depends on chat;
    chat never imports it."""

    name = "engage"
    verbose_name = _("Engagement")

    def ready(self):
        from chat.realtime import extensions
        from engage import outreach, presence, visitors_live

        presence.connect()
        extensions.register_console_topic(visitors_live.TOPIC, visitors_live.topic_groups)
        extensions.register_visitor_frame("invitation_closed", outreach.invitation_closed_frame)
