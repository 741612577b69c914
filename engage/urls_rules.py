from django.urls import path

from engage import views_rules as views

app_name = "invitations"

urlpatterns = [
    path("", views.invitations_home, name="home"),
    path("sites/<int:site_id>/", views.rule_list, name="list"),
    path("sites/<int:site_id>/new/", views.rule_add, name="add"),
    path("<int:pk>/", views.rule_edit, name="edit"),
    path("<int:pk>/pause/", views.rule_pause, name="pause"),
    path("<int:pk>/delete/", views.rule_delete, name="delete"),
]
