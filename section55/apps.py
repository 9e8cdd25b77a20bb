from django.apps import AppConfig


class Section55Config(AppConfig):
    name = "section55"
    verbose_name = "Section 55 responses"
