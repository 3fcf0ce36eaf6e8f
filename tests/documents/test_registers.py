"""The outgoing and incoming registers page by keyset (?after=), newest first, with no count; the
home page's documents cards count up to a cap."""

import datetime as dt
import html
import re
from uuid import UUID

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from documents import workspace
from documents.constants import Classification, LetterStatus, Priority
from documents.models import Letter, LetterRecipient
from documents.selectors import (
    RegisterCursor,
    letters_visible,
    outgoing,
    register_incoming,
    register_outgoing,
    register_page,
)
from documents.services import letter_draft, letter_open, letter_register
from govportal.accounts.constants import Role
from govportal.accounts.models import Membership
from tests.conftest import login_staff
from tests.documents.conftest import content
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    return login_staff(Client(), Membership.objects.filter(user=user).first())


def all_pages(rows, id_type, size):
    """Page through a register as the "Next" links do (the cursor goes through its token): each page's rows."""
    pages, after = [], None
    for _ in range(20):
        page = register_page(rows, after=after, size=size)
        pages.append(list(page))
        if page.next_token is None:
            return pages
        after = RegisterCursor.parse(page.next_token, id_type)
    raise AssertionError(f"no last page after {pages}")


def same_time(letters, at):
    """Letters (and their copies) dispatched at one instant, as paper letters registered for one day are."""
    Letter.objects.filter(pk__in=[letter.pk for letter in letters]).update(dispatched_at=at)
    LetterRecipient.objects.filter(letter__in=letters).update(dispatched_at=at)


# --- outgoing ---------------------------------------------------------------------------------------


def test_the_outgoing_register_pages_newest_first_every_letter_once_even_with_equal_times(office, dispatched):
    letters = [dispatched(priority=Priority.IMMEDIATE if n == 2 else Priority.NORMAL) for n in range(7)]
    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    same_time(letters[1:5], noon)  # four letters share a time: the id orders them, one after the other
    same_time(letters[:1], noon - dt.timedelta(hours=1))
    rows = outgoing(office["clerk"], office["finance"])
    expected = [letter.pk for letter in rows]
    assert expected[:2] == [letters[6].pk, letters[5].pk]  # newest first, whatever the priority
    assert sorted(expected[2:6], reverse=True) == expected[2:6] and set(expected[2:6]) == {
        letter.pk for letter in letters[1:5]
    }
    assert expected[6] == letters[0].pk

    pages = all_pages(rows, UUID, size=3)
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [letter.pk for page in pages for letter in page] == expected  # no duplicate, no gap, in order


def test_the_outgoing_register_shows_what_letters_visible_shows_of_the_entity(office, dispatched):
    normal = dispatched()
    secret = dispatched(classification=Classification.SECRET)
    confidential = dispatched(classification=Classification.CONFIDENTIAL, readers=[office["clerk"]])
    dispatched(classification=Classification.CONFIDENTIAL, to=[office["basra"]])
    finance = office["finance"]
    # A clerk of the Ministry of Finance who heads the Ministry of Health reads, as its head, the
    # secret letter that reached the Ministry of Health; not the one that went to Basra.
    both = MembershipFactory(entity=finance, role=Role.REGISTRY_CLERK).user
    Membership.objects.create(user=both, entity=office["health"], role=Role.ENTITY_HEAD)

    def shown(user):
        return {letter.pk for letter in outgoing(user, finance)}

    def rule(user):
        return set(
            letters_visible(user)
            .filter(sender_entity=finance, status=LetterStatus.DISPATCHED)
            .values_list("pk", flat=True)
        )

    assert shown(office["clerk"]) == {normal.pk, confidential.pk}  # a named reader of the confidential one
    assert len(shown(office["head"])) == 4
    assert shown(both) == {normal.pk, secret.pk, confidential.pk}
    for user in (office["clerk"], office["head"], both):
        assert shown(user) == rule(user)
    assert shown(office["health_clerk"]) == set()  # not staff of the sender: not its register


def test_the_outgoing_register_lists_only_dispatched_letters(office, dispatched):
    letter = dispatched()
    letter_draft(sender=office["finance"], content=content([office["health"]]), actor=office["clerk"])
    assert [row.pk for row in outgoing(office["head"], office["finance"])] == [letter.pk]


# --- incoming ---------------------------------------------------------------------------------------


def test_the_incoming_register_pages_newest_first_whatever_the_priority(office, dispatched):
    letters = [dispatched(priority=Priority.IMMEDIATE if n % 3 == 0 else Priority.NORMAL) for n in range(6)]
    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    same_time(letters[0:3], noon)
    same_time(letters[:1], noon - dt.timedelta(hours=1))
    rows = register_incoming(office["health_clerk"], office["health"], {})
    copies = [copy.pk for copy in rows]
    expected_letters = [letters[5].pk, letters[4].pk, letters[3].pk, letters[2].pk, letters[1].pk, letters[0].pk]
    assert [copy.letter_id for copy in rows] == expected_letters  # equal times: the newer copy first

    pages = all_pages(rows, int, size=4)
    assert [len(page) for page in pages] == [4, 2]
    assert [copy.pk for page in pages for copy in page] == copies


def test_the_incoming_register_keeps_secret_letters_for_heads_and_named_readers(office, dispatched):
    normal = dispatched()
    secret = dispatched(classification=Classification.SECRET)

    def shown(user):
        return [
            copy.letter_id for copy in register_page(register_incoming(user, office["health"], {}), after=None, size=25)
        ]

    assert shown(office["health_clerk"]) == [normal.pk]
    assert shown(office["health_head"]) == [secret.pk, normal.pk]
    secret.named_readers.add(office["health_clerk"])
    assert shown(office["health_clerk"]) == [secret.pk, normal.pk]
    assert shown(office["basra_clerk"]) == []


def test_the_incoming_register_filters_by_state_sender_classification_and_words(office, dispatched):
    registered = dispatched(subject="طلب إحالة الموظفين")
    opened = dispatched(subject="تقرير الجرد السنوي")
    unread = dispatched(subject="دعوة اجتماع", classification=Classification.CONFIDENTIAL)
    clerk, health = office["health_clerk"], office["health"]
    letter_register(recipient=registered.recipients.get(entity=health), actor=clerk)
    letter_open(recipient=opened.recipients.get(entity=health), actor=clerk)

    def shown(**filters):
        return [copy.letter_id for copy in register_incoming(office["health_head"], health, filters)]

    assert shown(status="registered") == [registered.pk]
    assert shown(status="unregistered") == [unread.pk, opened.pk]
    assert shown(status="unread") == [unread.pk]
    assert shown(classification=Classification.CONFIDENTIAL) == [unread.pk]
    assert shown(counterpart=office["finance"]) == [unread.pk, opened.pk, registered.pk]
    assert shown(counterpart=office["basra"]) == []
    assert shown(q="احاله") == [registered.pk]  # spelling variant of إحالة


def test_date_filters_take_whole_days_in_baghdad(office, dispatched):
    """A letter dispatched at 23:30 in Baghdad (20:30 UTC) belongs to that day, not the next."""
    late, early = dispatched(), dispatched()
    baghdad = timezone.get_current_timezone()
    day = dt.date(2026, 3, 10)
    same_time([late], dt.datetime(2026, 3, 10, 23, 30, tzinfo=baghdad))
    same_time([early], dt.datetime(2026, 3, 11, 0, 15, tzinfo=baghdad))
    next_day = day + dt.timedelta(days=1)

    for rows in (
        lambda **f: [c.letter_id for c in register_incoming(office["health_clerk"], office["health"], f)],
        lambda **f: [letter.pk for letter in register_outgoing(office["clerk"], office["finance"], f)],
    ):
        assert rows(date_from=day, date_to=day) == [late.pk]
        assert rows(date_from=next_day, date_to=next_day) == [early.pk]
        assert rows(date_from=day) == [early.pk, late.pk]
        assert rows(date_to=day) == [late.pk]


def test_the_outgoing_register_filters_page_on_by_keyset(office, dispatched):
    urgent = [dispatched(priority=Priority.URGENT, classification=Classification.CONFIDENTIAL) for _ in range(3)]
    dispatched()
    rows = register_outgoing(office["head"], office["finance"], {"classification": Classification.CONFIDENTIAL})
    pages = all_pages(rows, UUID, size=2)
    assert [[letter.pk for letter in page] for page in pages] == [[urgent[2].pk, urgent[1].pk], [urgent[0].pk]]


def test_a_register_cursor_survives_its_token_and_nothing_else_is_one(office, dispatched):
    letter = dispatched()
    copy = letter.recipients.get()
    for row, id_type in ((letter, UUID), (copy, int)):
        cursor = RegisterCursor.of(row)
        assert RegisterCursor.parse(cursor.token, id_type) == cursor
    assert RegisterCursor.parse(RegisterCursor.of(letter).token, int) is None  # a letter's id is no copy's
    for token in ("", "page2", "5", "x.5", "5.x", "99999999999999999999999.5", "5.5.5"):
        assert RegisterCursor.parse(token, int) is None, token


# --- pages ------------------------------------------------------------------------------------------


def pagination_links(page: str) -> dict[str, str]:
    nav = re.search(r'<nav class="pagination".*?</nav>', page, re.S)
    links = re.findall(r'<a[^>]* href="([^"]*)"[^>]*>(.*?)</a>', nav.group(0), re.S) if nav else []
    return {re.sub(r"<[^>]+>", "", text).strip(): html.unescape(href) for href, text in links}


@pytest.mark.parametrize("kind", ["outgoing", "incoming"])
def test_a_register_page_pages_on_with_next_keeping_its_filters_and_counts_nothing(
    office, dispatched, monkeypatch, kind
):
    monkeypatch.setattr("documents.views.lists.PAGE_SIZE", 2)
    for n in (1, 2, 3):
        dispatched(subject=f"الكتاب رقم {n}")
    dispatched(subject="كتاب آخر", classification=Classification.CONFIDENTIAL)
    user, entity = (office["head"], "MOF") if kind == "outgoing" else (office["health_head"], "MOH")
    client = signed_in(user)
    with translation.override("ar"):
        next_label, first_label = gettext("Next"), gettext("First page")

    first = client.get(f"/documents/{kind}/", {"entity": entity, "classification": "normal"}).content.decode()
    assert "الكتاب رقم 3" in first and "الكتاب رقم 2" in first and "الكتاب رقم 1" not in first
    assert "كتاب آخر" not in first  # filtered out
    assert "Page 1" not in first and "صفحة 1" not in first  # no "page N of M": nothing is counted
    links = pagination_links(first)
    assert list(links) == [next_label]
    assert "classification=normal" in links[next_label] and "after=" in links[next_label]

    second = client.get(f"/documents/{kind}/{links[next_label]}").content.decode()
    assert "الكتاب رقم 1" in second and "الكتاب رقم 2" not in second and "كتاب آخر" not in second
    links = pagination_links(second)
    assert list(links) == [first_label]
    back = client.get(f"/documents/{kind}/{links[first_label]}").content.decode()
    assert back.count("الكتاب رقم") == 2 and "classification=normal" in links[first_label]


@pytest.mark.parametrize("kind", ["outgoing", "incoming"])
def test_a_register_link_with_a_broken_cursor_shows_the_first_page(office, dispatched, kind):
    dispatched(subject="كتاب اعتيادي")
    user = office["clerk"] if kind == "outgoing" else office["health_clerk"]
    response = signed_in(user).get(f"/documents/{kind}/", {"after": "12.not-an-id"})
    assert response.status_code == 200 and "كتاب اعتيادي" in response.content.decode()


def test_the_register_csv_link_leaves_the_page_cursor_behind(office, dispatched, monkeypatch):
    monkeypatch.setattr("documents.views.lists.PAGE_SIZE", 1)
    dispatched(), dispatched()
    client = signed_in(office["clerk"])
    first = client.get("/documents/outgoing/").content.decode()
    next_link = pagination_links(first)[gettext("Next")]
    second = client.get(f"/documents/outgoing/{next_link}").content.decode()
    csv_link = html.unescape(re.search(r'href="(\?[^"]*format=csv[^"]*)"', second).group(1))
    assert "after=" not in csv_link
    rows = b"".join(client.get(f"/documents/outgoing/{csv_link}").streaming_content).decode("utf-8-sig")
    assert len(rows.strip().splitlines()) == 3  # the header and both letters, not the page


# --- the home page's cards -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "count", "text"),
    [
        ("en", 0, "0 unread letters"),
        ("en", 1, "1 unread letter"),
        ("en", 2, "2 unread letters"),
        ("en", 99, "99 unread letters"),
        ("en", 100, "More than 99 unread letters"),
        ("en", 5000, "More than 99 unread letters"),
        ("ar", 0, "لا كتب غير مقروءة"),
        ("ar", 1, "كتاب واحد غير مقروء"),
        ("ar", 2, "كتابان غير مقروءين"),
        ("ar", 3, "3 كتب غير مقروءة"),
        ("ar", 11, "11 كتابًا غير مقروء"),
        ("ar", 99, "99 كتابًا غير مقروء"),
        ("ar", 100, "أكثر من 99 كتابًا غير مقروء"),
    ],
)
def test_the_unread_count_reads_with_its_plural_and_stops_at_the_cap(language, count, text):
    with translation.override(language):
        assert workspace.unread_text(count) == text


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("en", ["1 immediate", "More than 99 immediate", "2 letters to approve and sign", "1 open referral"]),
        (
            "ar",
            [
                "كتاب فوري واحد",
                "أكثر من 99 كتابًا فوريًا",
                "كتابان للموافقة والتوقيع",
                "إحالة واحدة قيد المعالجة",
            ],
        ),
    ],
)
def test_the_other_card_counts_read_with_their_plurals(language, texts):
    with translation.override(language):
        assert [
            workspace.immediate_text(1),
            workspace.immediate_text(100),
            workspace.to_approve_text(2),
            workspace.referrals_text(1),
        ] == texts


def test_the_cards_count_exactly_below_the_cap_and_say_more_than_at_it(office, dispatched, monkeypatch):
    monkeypatch.setattr(workspace, "CARD_COUNT_CAP", 3)
    roles = {Role.REGISTRY_CLERK.value}
    clerk, health = office["health_clerk"], office["health"]
    dispatched(priority=Priority.IMMEDIATE)
    dispatched(classification=Classification.SECRET)  # not for the clerk: not counted
    with translation.override("en"):
        card = workspace.documents_cards(clerk, health, roles)[0]
        assert (card.count_text, card.alert_text) == ("1 unread letter", "1 immediate")
        dispatched(), dispatched()
        card = workspace.documents_cards(clerk, health, roles)[0]
        assert (card.count, card.count_text) == (3, "More than 2 unread letters")
        for copy in LetterRecipient.objects.filter(entity=health):
            letter_open(recipient=copy, actor=clerk)
        card = workspace.documents_cards(clerk, health, roles)[0]
        assert (card.count_text, card.alert_text) == ("0 unread letters", "")


def test_the_workspace_shows_the_cards_counts_in_arabic(office, dispatched):
    dispatched(priority=Priority.IMMEDIATE)
    dispatched()
    page = signed_in(office["health_clerk"]).get(f"/workspace/{office['health'].code}/").content.decode()
    assert "كتابان غير مقروءين" in page and "كتاب فوري واحد" in page
    assert "لا إحالات قيد المعالجة" in page
