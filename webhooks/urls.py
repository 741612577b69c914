from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("new/", views.endpoint_add, name="add"),
    path("<int:pk>/", views.endpoint_edit, name="edit"),
    path("<int:pk>/delete/", views.endpoint_delete, name="delete"),
    path("<int:pk>/test/", views.send_test, name="test"),
    path("deliveries/<int:pk>/retry/", views.retry, name="retry"),
]
