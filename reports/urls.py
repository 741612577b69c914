"""The Reports page (included at console/reports/, namespace "reports")."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_page, name="page"),
    path("definitions/", views.report_definitions, name="definitions"),
    path("<slug:table>.csv", views.report_export, name="export"),
]
