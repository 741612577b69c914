"""The Leads pages (included at console/leads/, namespace "leads") and the widget's form
endpoints (widget_patterns, included at widget/<widget_key>/ by config/urls.py)."""

from django.urls import path

from leads import views

app_name = "leads"

urlpatterns = [
    path("", views.lead_list, name="list"),
    path("export.csv", views.lead_export, name="export"),
    path("rows/", views.lead_rows, name="rows"),
    path("<int:pk>/", views.lead_detail, name="detail"),
]

widget_patterns = (
    [
        path("lead/", views.widget_lead, name="lead"),
        path("introduce/", views.widget_introduce, name="introduce"),
    ],
    "leads_widget",
)
