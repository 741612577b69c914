"""Included at the root (namespace "twofactor"): the second step under accounts/, the
"Two-factor sign-in" page under console/security/."""

from django.urls import path

from twofactor import views

app_name = "twofactor"

urlpatterns = [
    path("accounts/two-factor/", views.verify, name="verify"),
    path("console/security/", views.security, name="security"),
    path("console/security/confirm/", views.confirm, name="confirm"),
    path("console/security/codes/", views.regenerate, name="regenerate"),
    path("console/security/codes.txt", views.codes_file, name="codes_file"),
    path("console/security/off/", views.turn_off, name="turn_off"),
]
