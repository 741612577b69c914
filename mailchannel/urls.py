from django.urls import path

from mailchannel import views

app_name = "mail_console"

urlpatterns = [
    path("deliveries/<int:pk>/retry/", views.retry, name="retry"),
]
