from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    name = "twofactor"
    verbose_name = _("Two-factor sign-in")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from chat.realtime import extensions
        from twofactor import sockets, state

        # A password sign-in starts a session that still owes its second factor (state.py).
        user_logged_in.connect(state.on_password_login, dispatch_uid="twofactor.login")
        extensions.register_console_gate(sockets.console_gate)
