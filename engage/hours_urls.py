from django.urls import path

from engage import hours_views
from routing import views as routing_views

app_name = "site_settings"

urlpatterns = [
    path("", hours_views.site_list, name="list"),
    path("<int:site_id>/hours/", hours_views.site_hours, name="hours"),
    path("<int:site_id>/routing/", routing_views.site_routing, name="routing"),
]
