from django.urls import path

from chat.views import console as views

app_name = "console"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("dialogs/<int:pk>/", views.dialog, name="dialog"),
    path("dialogs/<int:pk>/connect/", views.connect, name="connect"),
    path("dialogs/<int:pk>/end/", views.end, name="end"),
    path("status/", views.set_status, name="status"),
]
