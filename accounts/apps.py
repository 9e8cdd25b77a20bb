from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in safely: the lockout page, two-factor authentication, the audit trail."""

    name = "accounts"

    def ready(self) -> None:
        from . import audit

        audit.register_models()
