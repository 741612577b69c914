"""/console/sites/: the Site settings list, and each registered section of a site's page
(engage/site_settings.py: engage's Business hours, routing's Routing, mailchannel's
E-mail, each registered by its own app)."""

from django.urls import path

from engage import hours_views, site_settings

app_name = "site_settings"

urlpatterns = [
    path("", hours_views.site_list, name="list"),
    *site_settings.urlpatterns(),
]
