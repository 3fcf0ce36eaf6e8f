"""What a verify page shows under a document: times in Baghdad time, names and dates in the
reader's language, values isolated; and the stored rows of older artifacts read the same way."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from typing import Any

import pytest
from django.apps import apps
from django.utils import translation

from govportal.verification import display
from govportal.verification.models import Artifact
from govportal.verification.services import artifact_issue, token_verify
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db

PAID_UTC = dt.datetime(2026, 12, 7, 11, 8, 30, 123456, tzinfo=dt.UTC)  # 14:08 in Baghdad
MIGRATION = importlib.import_module("govportal.verification.migrations.0004_artifact_display_values")


def page(client: Any, artifact: Artifact, language: str) -> str:
    client.cookies["govportal_language"] = language
    response = client.get(artifact.path)
    assert response.status_code == 200
    return response.content.decode()


def receipt() -> Any:
    from collection.services.receipts import receipt_issue
    from tests.collection.conftest import PaymentFactory

    payment = PaymentFactory(collecting_entity=EntityFactory(code="IHF"), amount=210_000, succeeded_at=PAID_UTC)
    return receipt_issue(payment=payment)


def test_a_receipt_paid_at_1408_in_baghdad_says_1408_on_its_verify_page(client):
    artifact = receipt().artifact
    arabic, english = page(client, artifact, "ar"), page(client, artifact, "en")
    assert "7 كانون الأول 2026، 14:08 بتوقيت بغداد" in arabic
    assert "7 December 2026, 14:08 (Baghdad time)" in english
    for html in (arabic, english):
        assert "11:08" not in html
        assert '<time datetime="2026-12-07T14:08:30+03:00">' in html
    assert '<bdi dir="ltr">210,000</bdi> د.ع' in arabic and '<bdi dir="ltr">210,000</bdi> IQD' in english


def test_every_time_element_on_a_verify_page_holds_a_valid_datetime(client):
    artifact = receipt().artifact
    Artifact.objects.filter(pk=artifact.pk).update(issued_at=PAID_UTC)  # microseconds, as the register keeps them
    for language in ("ar", "en"):
        values = re.findall(r'<time datetime="([^"]*)"', page(client, artifact, language))
        assert values and all(
            re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}\+03:00)?", value) for value in values
        ), values


def training_certificate() -> Any:
    from tests.pdf.test_printables import training_certificate as issue

    return issue()


def test_the_training_certificate_shows_the_programme_and_institution_in_the_readers_language(client):
    certificate = training_certificate()
    programme = certificate.enrollment.session.programme
    institution = certificate.enrollment.trainee.entity
    arabic, english = page(client, certificate.artifact, "ar"), page(client, certificate.artifact, "en")
    assert programme.title_ar in arabic and programme.title_en not in arabic
    assert programme.title_en in english and programme.title_ar not in english
    assert institution.name_ar in arabic and institution.name_en not in arabic
    assert institution.name_en in english and institution.name_ar not in english
    assert f'<bdi class="code" dir="ltr">{institution.code}</bdi>' in english
    session = certificate.enrollment.session
    with translation.override("en"):
        days = f"{session.start_date.day} {session.start_date:%B} {session.start_date.year}"
    assert days in english


def test_the_json_answer_names_the_issuer_and_the_details_in_the_readers_language(client):
    artifact = receipt().artifact
    client.cookies["govportal_language"] = "en"
    body = client.get(f"{artifact.path}/json").json()
    assert body["issuer"] == artifact.entity.name_en and body["issuer_code"] == "IHF"
    assert ["Paid at", "7 December 2026, 14:08 (Baghdad time)"] in body["details"]
    assert ["Amount paid", "210,000 IQD"] in body["details"]


def test_a_kurdish_reader_reads_the_issuer_and_the_institution_by_their_kurdish_names(client):
    from govportal.entities.models import Entity

    certificate = training_certificate()
    issuer, institution = certificate.artifact.entity, certificate.enrollment.trainee.entity
    Entity.objects.filter(pk=issuer.pk).update(name_ckb="ئەمینداریەتی گشتیی ئەنجومەنی وەزیران")
    programme = certificate.enrollment.session.programme
    html = page(client, certificate.artifact, "ckb")
    assert '<html lang="ckb" dir="rtl">' in html
    assert "ئەمینداریەتی گشتیی ئەنجومەنی وەزیران" in html and issuer.name_ar not in html
    # The institution was named at issue time without a Kurdish name, the programme has none: Arabic.
    assert institution.name_ar in html and institution.name_en not in html
    assert programme.title_ar in html and programme.title_en not in html
    client.cookies["govportal_language"] = "ckb"
    body = client.get(f"{certificate.artifact.path}/json").json()
    assert body["issuer"] == "ئەمینداریەتی گشتیی ئەنجومەنی وەزیران"


def test_an_entity_named_in_kurdish_at_issue_time_is_shown_in_kurdish_and_arabic_otherwise():
    entity = EntityFactory(name_ar="وزارة المالية", name_en="Ministry of Finance", name_ckb="وەزارەتی دارایی")
    stored = display.entity(entity)
    older = {key: value for key, value in stored.items() if key != "ckb"}  # stored before Kurdish names
    for language, expected, expected_older in [
        ("ar", "وزارة المالية", "وزارة المالية"),
        ("ckb", "وەزارەتی دارایی", "وزارة المالية"),
        ("en", "Ministry of Finance", "Ministry of Finance"),
    ]:
        with translation.override(language):
            assert display.value_text(stored).startswith(expected), language
            assert display.value_text(older).startswith(expected_older), language


# --- rows frozen as strings by earlier versions --------------------------------------------------


OLD_ROWS = {
    "receipt": [
        ["Amount paid (IQD)", "210,000"],
        ["Payment reference", "P2612070000001"],
        ["Paid by", "أ. ك. ع."],
        ["Paid at", "2026-12-07 11:08"],  # strftime of the UTC time
    ],
    "training_certificate": [
        ["Programme", "إدارة الوثائق الإلكترونية — Electronic document management"],
        ["Hours", "12"],
        ["Dates", "2026-11-07 – 2026-11-08"],
        ["Trainee", "س. م. ج."],
        ["National ID number", "••••••••5678"],
        ["Institution", "وزارة المالية (MOF)"],
    ],
    "certificate": [
        ["Answer", "Confirmed: issued by this entity"],
        ["Document", "BGD-2019-44871 — 2019-07-14"],
        ["Holder", "أ. ك. ع."],
    ],
    "statement": [["Loan number", "L-2026-0815"], ["Balance on the statement date (IQD)", "1,200,000"]],
}


def old_artifact(kind: str, entity: Any = None) -> Artifact:
    artifact = artifact_issue(
        entity=entity or EntityFactory(), kind=kind, serial=f"OLD-{kind}", content=b"facts", display=[]
    )
    Artifact.objects.filter(pk=artifact.pk).update(display=OLD_ROWS[kind])
    return Artifact.objects.get(pk=artifact.pk)


def test_the_migration_turns_recognised_strings_into_values_and_leaves_signatures_alone(client):
    EntityFactory(code="MOF", name_ar="وزارة المالية", name_en="Ministry of Finance")
    issuer = EntityFactory(code="IHF")
    old = {kind: old_artifact(kind, issuer) for kind in OLD_ROWS}
    letter = artifact_issue(entity=issuer, kind="letter", serial="MOF/1/2026", content=b"x", display=[("Subject", "x")])

    MIGRATION.forwards(apps, None)

    rows = {kind: dict(Artifact.objects.get(pk=artifact.pk).display) for kind, artifact in old.items()}
    assert rows["receipt"]["Paid at"] == {"type": "datetime", "value": "2026-12-07T11:08:00+00:00"}
    assert rows["receipt"]["Amount paid"] == {"type": "amount", "value": 210_000}
    assert rows["receipt"]["Paid by"] == "أ. ك. ع."  # masked names stay as they were
    assert rows["training_certificate"]["Programme"] == {
        "type": "text",
        "ar": "إدارة الوثائق الإلكترونية",
        "en": "Electronic document management",
    }
    assert rows["training_certificate"]["Institution"] == {
        "type": "entity",
        "ar": "وزارة المالية",
        "en": "Ministry of Finance",
        "code": "MOF",
    }
    assert rows["training_certificate"]["Dates"] == {"type": "dates", "first": "2026-11-07", "last": "2026-11-08"}
    assert rows["certificate"]["Document"] == {"type": "dated", "number": "BGD-2019-44871", "date": "2019-07-14"}
    assert rows["statement"]["Balance on the statement date"] == {"type": "amount", "value": 1_200_000}
    assert Artifact.objects.get(pk=letter.pk).display == [["Subject", "x"]]

    for kind, artifact in old.items():
        again = Artifact.objects.get(pk=artifact.pk)
        assert (again.token, again.digest) == (artifact.token, artifact.digest)
        assert token_verify(again.token).genuine, kind

    receipt_page = page(client, old["receipt"], "ar")
    assert "14:08 بتوقيت بغداد" in receipt_page and "11:08" not in receipt_page

    MIGRATION.backwards(apps, None)
    assert Artifact.objects.get(pk=old["receipt"].pk).display == OLD_ROWS["receipt"]
    assert Artifact.objects.get(pk=old["training_certificate"].pk).display == OLD_ROWS["training_certificate"]


def test_a_string_the_migration_does_not_recognise_is_left_as_it_was():
    for label, value in [
        ("Paid at", "yesterday"),
        ("Amount paid (IQD)", "about 5"),
        ("Dates", "7–8 Nov"),
        ("Holder", "أ. ك."),
    ]:
        assert MIGRATION.convert(label, value, {}) == (label, value)


def test_a_typed_value_reads_in_each_language():
    values = [
        display.day(dt.date(2026, 11, 22)),
        display.days(dt.date(2026, 11, 7), dt.date(2026, 11, 8)),
        display.dated("BGD-1", dt.date(2019, 7, 14)),
    ]
    with translation.override("ar"):
        assert [display.value_text(value) for value in values] == [
            "22 تشرين الثاني 2026",
            "من 7 تشرين الثاني 2026 إلى 8 تشرين الثاني 2026",
            "BGD-1 بتاريخ 14 تموز 2019",
        ]
    with translation.override("en"):
        assert [display.value_text(value) for value in values] == [
            "22 November 2026",
            "7 November 2026 to 8 November 2026",
            "BGD-1 of 14 July 2019",
        ]
