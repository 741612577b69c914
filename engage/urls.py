"""The engagement pages (included at console/visitors/ by config/urls.py, namespace
"engage")."""

from django.urls import path

from engage import views_visitors

app_name = "engage"

urlpatterns = [
    path("", views_visitors.visitor_list, name="visitors"),
    path("counts/", views_visitors.visitor_counts, name="visitor_counts"),
    path("<int:pk>/write/", views_visitors.write, name="write"),
]
