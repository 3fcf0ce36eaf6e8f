import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from govportal.notifications.models import Notification
from tests.factories import UserFactory

BEFORE = ("notifications", "0001_initial")
AFTER = ("notifications", "0002_nominations_message_reworded")
OLD = "%(entity)s nominated %(count)s employee(s) for %(session)s."


@pytest.mark.django_db(transaction=True)
def test_a_notice_stored_with_the_old_wording_still_reads_in_arabic():
    user = UserFactory()
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps.get_model("notifications", "Notification")
    params = {"entity": "وزارة المالية", "count": 3, "session": "إدارة المشاريع (2026-12-20)"}
    pk = old.objects.create(user_id=user.pk, message=OLD, params=params).pk

    executor.loader.build_graph()
    executor.migrate([AFTER])
    notice = Notification.objects.get(pk=pk)
    with translation.override("ar"):
        text = notice.text
    assert "وزارة المالية" in text and "nominated" not in text and text != notice.message % params
