from django.urls import path

from crm import views

app_name = "crm"

# Mounted under /console/crm/ (config/urls.py).
urlpatterns = [
    path("dialogs/<int:pk>/send/", views.send_dialog, name="send_dialog"),
    path("dialogs/<int:pk>/exports/", views.dialog_exports_panel, name="dialog_exports"),
    path("leads/<int:pk>/send/", views.send_lead, name="send_lead"),
    path("exports/<int:pk>/retry/", views.retry, name="retry"),
    path("demo-receiver/", views.demo_received, name="demo_received"),
]
