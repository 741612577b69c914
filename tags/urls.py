from django.urls import path

from tags import views

app_name = "tags"

urlpatterns = [
    path("", views.tag_list, name="list"),
    path("new/", views.tag_add, name="add"),
    path("<int:pk>/", views.tag_edit, name="edit"),
    path("<int:pk>/delete/", views.tag_delete, name="delete"),
    path("dialogs/<int:pk>/add/", views.dialog_add, name="dialog_add"),
    path("dialogs/<int:pk>/remove/", views.dialog_remove, name="dialog_remove"),
]
