from django.urls import path

from api import console_views

app_name = "tokens"

urlpatterns = [
    path("", console_views.token_list, name="list"),
    path("<int:pk>/revoke/", console_views.revoke, name="revoke"),
]
