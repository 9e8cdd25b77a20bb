from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in safely: the lockout page, two-factor authentication, passwords, session
    lifetimes, the audit trail."""

    name = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import audit, sessions

        audit.register_models()
        user_logged_in.connect(sessions.record_sign_in, dispatch_uid="accounts.record_sign_in")
