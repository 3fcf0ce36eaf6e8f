import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from documents.constants import Priority
from documents.models import LetterRecipient
from documents.selectors import inbox
from documents.services import letter_draft
from tests.documents.conftest import content

BEFORE = ("documents", "0003_letter_letter_number_upper_idx_and_more")
INBOX_KEY = ("documents", "0004_recipient_inbox_order")


@pytest.mark.django_db(transaction=True)
def test_migrating_gives_copies_already_dispatched_their_inbox_sort_key(office, dispatched):
    urgent, normal = dispatched(priority=Priority.URGENT), dispatched(cc=[office["basra"]])
    draft = letter_draft(sender=office["finance"], content=content([office["health"]]), actor=office["clerk"])
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])  # the columns go, and with them what the services put there
    executor.loader.build_graph()
    executor.migrate([INBOX_KEY])
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # and on to today's schema, which the models read

    def key(letter, entity="health"):
        copy = LetterRecipient.objects.get(letter=letter, entity=office[entity])
        return copy.priority_rank, copy.dispatched_at

    assert key(urgent) == (1, urgent.dispatched_at)
    assert key(normal) == key(normal, "basra") == (2, normal.dispatched_at)
    assert key(draft) == (None, None)  # not in any inbox until it is dispatched
    assert [copy.letter_id for copy in inbox(office["health_clerk"], office["health"])] == [urgent.pk, normal.pk]
