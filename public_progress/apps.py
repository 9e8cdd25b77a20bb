from django.apps import AppConfig


class PublicProgressConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "public_progress"
