from django.apps import AppConfig


class DaibanConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "daiban"
    verbose_name = "帮办代办"

    def ready(self):
        from . import auth  # noqa: F401  (connects the login audit signals)
