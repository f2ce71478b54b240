# The Celery app is imported here so that `shared_task` binds to it (and its
# broker settings) instead of a default broker that does not exist.
from config.celery import app as celery_app

__all__ = ("celery_app",)
