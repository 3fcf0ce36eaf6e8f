"""The Celery application. Tasks are thin entry points that take ids and call a service."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govportal.settings")

app = Celery("govportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
