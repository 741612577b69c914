from django.urls import path

from replies import views

app_name = "replies"

urlpatterns = [
    path("", views.reply_list, name="list"),
    path("new/", views.reply_add, name="add"),
    path("<int:pk>/", views.reply_edit, name="edit"),
    path("<int:pk>/delete/", views.reply_delete, name="delete"),
    path("<int:pk>/used/", views.reply_used, name="used"),
]
