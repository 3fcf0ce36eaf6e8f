import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import RequestFactory

from govportal.audit.models import AuditEvent
from govportal.audit.services import GENESIS_HASH, audit_chain_verify, audit_record
from tests.factories import EntityFactory, UserFactory

pytestmark = pytest.mark.django_db


def record_three():
    entity = EntityFactory()  # entity_create writes the first event
    user = UserFactory()
    audit_record(action="letter_read", actor=user, entity=entity, target=entity, data={"why": "قراءة"})
    audit_record(action="membership_grant", entity=entity, data={"role": "auditor"})
    return list(AuditEvent.objects.order_by("id"))


def test_each_event_links_to_the_one_before():
    events = record_three()
    assert events[0].prev_hash == GENESIS_HASH
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    assert audit_chain_verify().ok


def test_audit_verify_command_reports_an_intact_chain(capsys):
    record_three()
    call_command("audit_verify")
    assert "3 events verified" in capsys.readouterr().out


def _tamper(sql: str, params: list) -> None:
    """Edit the log behind the application's back, as an intruder with database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # superuser only: skips triggers
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def test_audit_verify_names_the_first_edited_event():
    events = record_three()
    _tamper("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["letter_delete", events[1].pk])
    with pytest.raises(CommandError) as error:
        call_command("audit_verify")
    assert f"event #{events[1].pk}" in str(error.value)
    assert "edited" in str(error.value)


def test_audit_verify_notices_a_deleted_event():
    events = record_three()
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    report = audit_chain_verify()
    assert not report.ok
    assert report.broken_at == events[2].pk


@pytest.mark.postgres
def test_postgres_refuses_update_and_delete_of_audit_rows():
    events = record_three()
    for statement in (
        "UPDATE audit_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [events[0].pk])
    assert AuditEvent.objects.get(pk=events[0].pk).action == events[0].action
    assert AuditEvent.objects.count() == 3


@pytest.mark.parametrize(
    ("address", "stored"),
    [
        ("2001:DB8::1", "2001:db8::1"),
        ("::ffff:10.0.0.1", "10.0.0.1"),  # an IPv4 client behind an IPv6 socket is that IPv4 client
        ("::a00:1", "::a00:1"),  # PostgreSQL's inet would have spelt it "::10.0.0.1"
        ("fe80::1%eth0", "fe80::1"),  # the zone is local to the machine that saw it
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("192.168.1.20", "192.168.1.20"),
    ],
)
def test_the_chain_holds_for_any_client_address(rf, address, stored):
    """The address is spelt one way, the same on Python 3.12 and 3.13, and the hash covers what
    is stored: an untouched event never reads as edited."""
    request = rf.get("/", REMOTE_ADDR=address)
    event = audit_record(action="user_login", request=request)
    assert AuditEvent.objects.get(pk=event.pk).ip == stored
    assert audit_chain_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_migration_0003_keeps_every_existing_event_verifiable():
    """Events written while the column was inet read back as the same text after it becomes text."""
    from django.db.migrations.executor import MigrationExecutor

    inet, text = ("audit", "0002_append_only_trigger"), ("audit", "0003_ip_as_text")
    executor = MigrationExecutor(connection)
    executor.migrate([inet])
    column_type = (
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attname = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(column_type, ["audit_auditevent", "ip"])
        assert cursor.fetchone()[0] == "inet"
    for address in ("10.0.0.7", "2001:db8::5"):
        audit_record(action="user_login", request=RequestFactory().get("/", REMOTE_ADDR=address))
    executor.loader.build_graph()
    executor.migrate([text])
    assert sorted(AuditEvent.objects.values_list("ip", flat=True)) == ["10.0.0.7", "2001:db8::5"]
    assert audit_chain_verify().ok


def test_login_success_and_failure_are_audited(client):
    user = UserFactory()
    client.post("/accounts/login/", {"login": user.email, "password": "wrong-password-1"})
    client.post("/accounts/login/", {"login": user.email, "password": "correct-horse-battery-9"})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["user_login_fail", "user_login"]
    failed = AuditEvent.objects.get(action="user_login_fail")
    assert failed.data == {"email": user.email}
    assert failed.ip == "127.0.0.1"
