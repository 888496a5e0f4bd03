from django.apps import AppConfig


class DaibanConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "daiban"
    verbose_name = "帮办代办"

    def ready(self):
        from . import auth  # noqa: F401  (connects the login audit signals)
        from .services import indexing

        indexing.connect()  # saves inside indexing.batched_index() are indexed once, in bulk
