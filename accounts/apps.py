from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in safely: the lockout page, slowing password guessing, two-factor
    authentication, passwords, session lifetimes, the audit trail."""

    name = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from . import audit, password_guessing, sessions

        audit.register_models()
        user_logged_in.connect(sessions.record_sign_in, dispatch_uid="accounts.record_sign_in")
        user_logged_in.connect(
            password_guessing.remember_sign_in, dispatch_uid="accounts.remember_sign_in"
        )
        user_login_failed.connect(
            password_guessing.record_failure, dispatch_uid="accounts.record_password_failure"
        )
