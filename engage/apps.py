from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngageConfig(AppConfig):
    """Reaching visitors before they write (docs/engagement.md): who is on the site now,
    operator-started chats, proactive invitations and business hours. Depends on chat;
    chat never imports it."""

    name = "engage"
    verbose_name = _("Engagement")

    def ready(self):
        # chat never imports engage: it offers extension points, engage fills them.
        from chat.dialogs import availability, openings
        from chat.realtime import extensions
        from engage import (  # noqa: F401 (admin)
            hours_admin,
            hours_schedule,
            hours_views,
            hours_widget,
            invitations,
            presence,
            rules,
            site_settings,
            visitors_live,
        )

        availability.register_opening_hours(hours_schedule.site_is_open)
        extensions.register_hello_part("hours", hours_widget.hello_part)
        extensions.register_visitor_frame("hours", hours_widget.hours_frame)
        extensions.register_hello_part("invitations", rules.hello_part)
        extensions.register_visitor_frame("invitation_shown", invitations.invitation_shown)
        extensions.register_visitor_frame("invitation_closed", invitations.invitation_closed)
        openings.register_opener(invitations.opening_for)
        presence.connect()
        extensions.register_console_topic(visitors_live.TOPIC, visitors_live.topic_groups)
        # The Site settings shell is engage's; its sections and menu links are registered
        # by their own apps (engage/site_settings.py): these are engage's.
        site_settings.register_section(
            site_settings.Section(
                key="hours",
                title=_("Business hours"),
                order=10,
                route="hours/",
                view=hours_views.site_hours,
            )
        )
        site_settings.register_entry(
            site_settings.MenuEntry(
                key="sites",
                title=_("Site settings"),
                order=10,
                url_name="site_settings:list",
                element_id="site-settings-link",
            )
        )
        site_settings.register_entry(
            site_settings.MenuEntry(
                key="invitations",
                title=_("Proactive invitations"),
                order=30,
                url_name="invitations:home",
                element_id="invitations-link",
            )
        )
