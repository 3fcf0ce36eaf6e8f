import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents.constants import Classification, DeliveryMode, LetterStatus, Priority
from documents.models import Attachment, Letter, LetterRecipient
from documents.selectors import InboxCursor, inbox, inbox_page, letters_visible, search_letters
from documents.services import (
    attachment_add,
    letter_approve,
    letter_dispatch,
    letter_draft,
    letter_edit,
    letter_register,
    letter_return,
    letter_submit,
    referral_close,
    referral_create,
)
from govportal.verification.services import token_verify
from tests.documents.conftest import content

pytestmark = pytest.mark.django_db


def test_linked_recipients_get_it_electronically_unlinked_ones_on_paper(office, dispatched):
    letter = dispatched(to=[office["health"]], cc=[office["basra"]])
    modes = {r.entity.code: r.delivery_mode for r in letter.recipients.select_related("entity")}
    assert modes == {"MOH": DeliveryMode.ELECTRONIC, "GOV-BSR": DeliveryMode.PAPER}


def test_approval_flow_with_a_return_for_changes(office):
    letter = letter_draft(sender=office["finance"], content=content([office["health"]]), actor=office["clerk"])
    with pytest.raises(ValidationError):
        letter_approve(letter=letter, actor=office["head"])  # not submitted yet
    letter_submit(letter=letter, actor=office["clerk"])
    with pytest.raises(PermissionDenied):
        letter_approve(letter=letter, actor=office["clerk"])  # only the head signs
    letter_return(letter=letter, comment="أضيفوا الجدول", actor=office["head"])
    letter = letter_edit(
        letter=Letter.objects.get(pk=letter.pk),
        content=content([office["health"]], body="مع الجدول"),
        actor=office["clerk"],
    )
    letter_submit(letter=letter, actor=office["clerk"])
    letter = letter_approve(letter=letter, actor=office["head"])
    assert letter.status == LetterStatus.APPROVED
    assert letter.signer == office["head"]
    letter = letter_dispatch(letter=letter, actor=office["clerk"])
    assert letter.number == f"MOF/1/{letter.year}"
    assert token_verify(letter.artifact.token).genuine


def test_numbers_follow_the_entitys_format_without_gaps(office, dispatched):
    office["finance"].letter_number_format = "{code}-{year}-{seq}"
    office["finance"].save()
    numbers = [dispatched().number for _ in range(3)]
    year = numbers[0].split("-")[1]
    assert numbers == [f"MOF-{year}-1", f"MOF-{year}-2", f"MOF-{year}-3"]


def test_a_letter_cannot_be_sent_to_its_own_entity_or_to_nobody(office):
    for recipients in ([office["finance"]], []):
        with pytest.raises(ValidationError):
            letter_draft(sender=office["finance"], content=content(recipients), actor=office["clerk"])
    assert not Letter.objects.exists()


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"MZ\x90\x00 program", "bad_type"), (b"", "empty"), (b"%PDF-" + b"0" * (20 * 1024 * 1024), "too_large")],
)
def test_bad_attachments_are_refused_and_nothing_is_stored(office, data, code):
    letter = letter_draft(sender=office["finance"], content=content([office["health"]]), actor=office["clerk"])
    with pytest.raises(ValidationError) as error:
        attachment_add(letter=letter, upload=SimpleUploadedFile("a.pdf", data), actor=office["clerk"])
    assert error.value.code == code
    assert not Attachment.objects.exists()


def test_office_documents_are_recognised_by_content(office):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    letter = letter_draft(sender=office["finance"], content=content([office["health"]]), actor=office["clerk"])
    attachment = attachment_add(
        letter=letter, upload=SimpleUploadedFile("x.bin", buffer.getvalue()), actor=office["clerk"]
    )
    assert attachment.content_type.endswith("wordprocessingml.document")


def test_who_sees_what(office, dispatched):
    normal = dispatched()
    secret = dispatched(classification=Classification.SECRET)
    draft = letter_draft(sender=office["finance"], content=content([office["health"]]), actor=office["clerk"])

    def seen(user):
        return set(letters_visible(user).values_list("pk", flat=True))

    assert seen(office["clerk"]) == {normal.pk, draft.pk}  # the sender's clerk: not the secret one
    assert seen(office["head"]) == {normal.pk, secret.pk, draft.pk}
    assert seen(office["health_clerk"]) == {normal.pk}  # a recipient: dispatched, not secret, no drafts
    assert seen(office["health_head"]) == {normal.pk, secret.pk}
    assert seen(office["basra_clerk"]) == set()  # not a party to either
    secret.named_readers.add(office["health_clerk"])
    assert secret.pk in seen(office["health_clerk"])


def test_inbox_puts_immediate_and_urgent_first(office, dispatched):
    normal = dispatched(priority=Priority.NORMAL)
    immediate = dispatched(priority=Priority.IMMEDIATE)
    urgent = dispatched(priority=Priority.URGENT)
    order = [r.letter_id for r in inbox(office["health_clerk"], office["health"])]
    assert order == [immediate.pk, urgent.pk, normal.pk]


def test_inbox_is_immediate_then_urgent_then_normal_each_newest_first(office, dispatched):
    sent = {
        name: dispatched(priority=priority)
        for name, priority in [
            ("normal, older", Priority.NORMAL),
            ("urgent, older", Priority.URGENT),
            ("immediate, older", Priority.IMMEDIATE),
            ("normal, newer", Priority.NORMAL),
            ("urgent, newer", Priority.URGENT),
            ("immediate, newer", Priority.IMMEDIATE),
        ]
    }
    order = [copy.letter_id for copy in inbox(office["health_clerk"], office["health"])]
    assert order == [
        sent[name].pk
        for name in (
            "immediate, newer",
            "immediate, older",
            "urgent, newer",
            "urgent, older",
            "normal, newer",
            "normal, older",
        )
    ]


def all_pages(user, entity, size):
    """Page through the inbox as the "Next" links do (the cursor goes through its token): each page's letters."""
    pages, after = [], None
    for _ in range(20):
        page = inbox_page(user, entity, after=after, size=size)
        pages.append([copy.letter_id for copy in page.copies])
        if page.next_token is None:
            return pages
        after = InboxCursor.parse(page.next_token)
    raise AssertionError(f"no last page after {pages}")


def test_inbox_pages_hold_every_copy_once_in_order_even_with_equal_times(office, dispatched):
    priorities = [Priority.NORMAL, Priority.URGENT, Priority.NORMAL, Priority.IMMEDIATE, Priority.NORMAL]
    letters = [dispatched(priority=priority) for priority in [*priorities, Priority.URGENT, Priority.NORMAL]]
    secret = dispatched(classification=Classification.SECRET)
    # Copies with one dispatch time (paper letters registered for the same day get noon of it): the newer
    # copy first. Earlier than the others, so the last normal letter stays the newest.
    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    LetterRecipient.objects.filter(letter__in=[letters[i] for i in (0, 1, 2, 4, 5)]).update(dispatched_at=noon)
    expected = [letters[i].pk for i in (3, 5, 1, 6, 4, 2, 0)]

    clerk_pages = all_pages(office["health_clerk"], office["health"], size=2)
    assert clerk_pages == [expected[0:2], expected[2:4], expected[4:6], expected[6:]]  # no secret letter
    assert [pk for page in clerk_pages for pk in page] == [
        c.letter_id for c in inbox(office["health_clerk"], office["health"])
    ]

    head_pages = all_pages(office["health_head"], office["health"], size=3)
    seen = [pk for page in head_pages for pk in page]
    assert len(seen) == len(set(seen)) and set(seen) == {*expected, secret.pk}  # each copy exactly once
    assert seen == [c.letter_id for c in inbox(office["health_head"], office["health"])]
    assert [len(page) for page in head_pages] == [3, 3, 2]


def test_the_last_page_has_no_next_and_an_empty_inbox_one_empty_page(office, dispatched):
    assert all_pages(office["health_clerk"], office["health"], size=2) == [[]]
    letters = [dispatched(), dispatched()]
    assert all_pages(office["health_clerk"], office["health"], size=2) == [[letters[1].pk, letters[0].pk]]


def test_an_inbox_cursor_survives_its_token_and_nothing_else_is_one(office, dispatched):
    dispatched()
    copy = inbox(office["health_clerk"], office["health"]).get()
    cursor = InboxCursor.of(copy)
    assert InboxCursor.parse(cursor.token) == cursor
    for token in ("", "page2", "2.5", "2.5.5.5", "-1.5.5", "2.5.0", "2.x.5", "2.99999999999999999999.5"):
        assert InboxCursor.parse(token) is None, token


def test_registering_gives_gapless_incoming_numbers_and_records_receipt(office, dispatched):
    first, second = dispatched(), dispatched()
    for letter in (first, second):
        recipient = letter.recipients.get(entity=office["health"])
        letter_register(recipient=recipient, actor=office["health_clerk"])
    registered = [letter.recipients.get(entity=office["health"]) for letter in (first, second)]
    assert [r.incoming_sequence for r in registered] == [1, 2]
    assert all(r.registered_by == office["health_clerk"] and r.delivered_at for r in registered)
    with pytest.raises(ValidationError):
        letter_register(recipient=registered[0], actor=office["health_clerk"])


def test_referral_to_a_colleague_who_closes_it(office, dispatched):
    recipient = dispatched().recipients.get(entity=office["health"])
    letter_register(recipient=recipient, actor=office["health_clerk"])
    referral = referral_create(
        recipient=recipient,
        referred_to=office["health_head"],
        minute="للاطلاع والإجابة",
        due=None,
        actor=office["health_clerk"],
    )
    with pytest.raises(ValidationError):
        referral_create(
            recipient=recipient, referred_to=office["clerk"], minute="x", due=None, actor=office["health_clerk"]
        )
    with pytest.raises(PermissionDenied):
        referral_close(referral=referral, note="تم", actor=office["health_clerk"])
    referral = referral_close(referral=referral, note="تمت الإجابة", actor=office["health_head"])
    assert referral.closed_at is not None


def test_referring_a_secret_letter_lets_the_referee_read_it(office, dispatched):
    letter = dispatched(classification=Classification.SECRET)
    recipient = letter.recipients.get(entity=office["health"])
    with pytest.raises(PermissionDenied):
        letter_register(recipient=recipient, actor=office["health_clerk"])  # the clerk cannot read it
    letter_register(recipient=recipient, actor=office["health_head"])
    assert letter.pk not in set(letters_visible(office["health_clerk"]).values_list("pk", flat=True))
    referral_create(
        recipient=recipient, referred_to=office["health_clerk"], minute="للإجابة", due=None, actor=office["health_head"]
    )
    assert letter.pk in set(letters_visible(office["health_clerk"]).values_list("pk", flat=True))


def test_arabic_search_finds_spelling_variants(office, dispatched):
    letter = dispatched(subject="إعادة تأهيل مدرسة الأمل في البصرة")
    for query in ["اعاده تاهيل", "مدرسه الامل", "إعادةُ", "البصره", letter.number]:
        found = search_letters(letters_visible(office["clerk"]), query)
        assert list(found.values_list("pk", flat=True)) == [letter.pk], query
    assert not search_letters(letters_visible(office["clerk"]), "الموصل").exists()


def test_a_paper_letter_from_an_unlinked_sender_is_registered_with_its_scan(office):
    from documents.services import paper_letter_receive

    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n")
    recipient = paper_letter_receive(
        entity=office["finance"],
        sender=office["basra"],
        number="م/445",
        date=dt.date(2026, 11, 1),
        subject="طلب تخصيصات",
        scan=scan,
        actor=office["clerk"],
    )
    assert recipient.incoming_sequence == 1
    assert recipient.letter.received_on_paper
    assert recipient.letter.attachments.get().content_type == "application/pdf"
    assert recipient.letter.pk in set(letters_visible(office["clerk"]).values_list("pk", flat=True))
    assert [copy.pk for copy in inbox(office["clerk"], office["finance"])] == [recipient.pk]
    with pytest.raises(ValidationError):
        paper_letter_receive(
            entity=office["finance"],
            sender=office["basra"],
            number="م/446",
            date=dt.date(2026, 11, 2),
            subject="x",
            scan=SimpleUploadedFile("x.exe", b"MZ\x90"),
            actor=office["clerk"],
        )
    assert Letter.objects.filter(received_on_paper=True).count() == 1


def test_a_reply_is_a_linked_draft_to_the_sender(office, dispatched):
    from documents.services import letter_reply

    original = dispatched()
    recipient = original.recipients.get(entity=office["health"])
    reply = letter_reply(recipient=recipient, actor=office["health_clerk"])
    assert reply.in_reply_to == original
    assert reply.status == LetterStatus.DRAFT
    assert [r.entity for r in reply.recipients.all()] == [office["finance"]]


def test_named_readers_of_the_sender_may_read_a_secret_letter(office, dispatched):
    from documents.services import letter_edit

    reader = office["clerk"]
    letter = letter_draft(
        sender=office["finance"],
        content=content([office["health"]], classification=Classification.SECRET),
        actor=office["clerk"],
    )
    assert letter.pk not in set(letters_visible(reader).values_list("pk", flat=True))
    letter_edit(
        letter=letter,
        content=content([office["health"]], classification=Classification.SECRET, readers=[reader]),
        actor=office["head"],
    )
    assert letter.pk in set(letters_visible(reader).values_list("pk", flat=True))
    with pytest.raises(ValidationError):
        letter_edit(
            letter=letter,
            content=content([office["health"]], readers=[office["health_clerk"]]),  # not staff of the sender
            actor=office["head"],
        )


def test_the_inbox_keeps_secret_letters_for_heads_and_named_readers(office, dispatched):
    normal, secret = dispatched(), dispatched(classification=Classification.SECRET)

    def inbox_of(user):
        return {copy.letter_id for copy in inbox(user, office["health"])}

    assert inbox_of(office["health_clerk"]) == {normal.pk}
    assert inbox_of(office["health_head"]) == {normal.pk, secret.pk}
    secret.named_readers.add(office["health_clerk"])
    assert inbox_of(office["health_clerk"]) == {normal.pk, secret.pk}
    assert inbox_of(office["clerk"]) == set()  # not staff of the receiving entity
