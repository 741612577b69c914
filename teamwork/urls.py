from django.urls import path

from teamwork import views

app_name = "teamwork"

urlpatterns = [
    path("dialogs/<int:pk>/transfer/", views.transfer, name="transfer"),
]
