import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from govportal.accounts.constants import Role
from tests.factories import EntityFactory, MembershipFactory, ProgrammeFactory, QuotaFactory, SessionFactory
from training.models import Session, Trainee
from training.services import TraineeDetails, nomination_approve, nomination_create, trainee_upsert


@pytest.fixture
def world(db):
    """The Secretariat runs a programme; two ministries nominate; a trainer from the Secretariat."""
    secretariat = EntityFactory(code="COMSEC", name_ar="الأمانة العامة لمجلس الوزراء")
    ministry, other = EntityFactory(code="MOF"), EntityFactory(code="MOH")
    programme = ProgrammeFactory(owner=secretariat, code="DMS-101")
    trainer = MembershipFactory(entity=secretariat, role=Role.REGISTRY_CLERK).user
    session = SessionFactory(programme=programme, trainer=trainer, capacity=30)
    QuotaFactory(entity=ministry, programme=programme, seats=3)
    QuotaFactory(entity=other, programme=programme, seats=3)
    return SimpleNamespace(
        secretariat=secretariat,
        ministry=ministry,
        other=other,
        programme=programme,
        session=session,
        trainer=trainer,
        admin=MembershipFactory(entity=secretariat, role=Role.TRAINING_ADMIN).user,
        coordinator=MembershipFactory(entity=ministry, role=Role.TRAINING_COORDINATOR).user,
        other_coordinator=MembershipFactory(entity=other, role=Role.TRAINING_COORDINATOR).user,
    )


_ids = iter(range(10**6))


def employee(entity, name: str = "", **extra) -> Trainee:
    n = next(_ids)
    details = TraineeDetails(
        full_name=name or f"موظف {n}", national_id=f"1985{n:08d}", job_title="مسجل الصادرة", **extra
    )
    return trainee_upsert(entity=entity, details=details)


def nominate(world, session=None, entity=None, actor=None, **extra):
    entity = entity or world.ministry
    trainee = employee(entity, **extra)
    return nomination_create(session=session or world.session, trainee=trainee, actor=actor or world.coordinator)


def place(world, session=None, **extra):
    """Nominated by the ministry's coordinator and approved by the Secretariat's admin."""
    return nomination_approve(nomination=nominate(world, session, **extra), actor=world.admin)


def move_to(session: Session, start: dt.date, days: int | None = None) -> Session:
    """Time passes: the session now starts on ``start`` (everything placed stays placed)."""
    length = (session.end_date - session.start_date).days if days is None else days - 1
    Session.objects.filter(pk=session.pk).update(start_date=start, end_date=start + dt.timedelta(days=length))
    session.refresh_from_db()
    return session


def today() -> dt.date:
    return timezone.localdate()


def codes(error) -> set[str]:
    """Every error code a ValidationError carries, whether it is a list or a dict of errors."""
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


def pdf_text_and_qr(pdf, tmp_path) -> tuple[str, str]:
    """What a reader sees in the PDF (direction marks removed) and what its first page's QR code says.

    Rendered with pdftoppm and read back with zbarimg, as a phone would see the printed page.
    """
    import re
    import shutil
    import subprocess

    def tool(name: str) -> str:
        path = shutil.which(name)
        if path is None:
            pytest.skip(f"{name} is not installed (apt-get install poppler-utils zbar-tools)")
        return path

    text = subprocess.run([tool("pdftotext"), str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    text = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)
    prefix = tmp_path / f"{pdf.stem}-page"
    subprocess.run([tool("pdftoppm"), "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf), str(prefix)], check=True)
    (png,) = tmp_path.glob(f"{prefix.name}*.png")
    scanned = subprocess.run(
        [tool("zbarimg"), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)], capture_output=True, text=True
    )
    assert scanned.returncode == 0, scanned.stderr
    return text, scanned.stdout.strip()
