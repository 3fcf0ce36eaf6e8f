"""One letter: drafting, its page, its files and PDF, and every action on it (through the services)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import Form
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from documents import selectors, services
from documents.constants import DeliveryMode, LetterStatus, RecipientKind
from documents.forms import (
    AttachmentForm,
    CloseReferralForm,
    LetterForm,
    PaperLetterForm,
    ReferralForm,
    ReturnForm,
)
from documents.models import Attachment, Letter, LetterRecipient, Referral
from documents.views.common import current_entity, has_role, staff_entities
from govportal.accounts.selectors import entities_of
from govportal.audit.labels import feed
from govportal.pdf.views import isolated, pdf_page
from govportal.web.forms import apply_service_errors
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest

# --- drafting ----------------------------------------------------------------------------------


def _attach(request: HttpRequest, letter: Letter, upload: Any) -> Attachment:
    """Add a file; a refused file's message is shown beside the ``attachment`` field."""
    try:
        return services.attachment_add(letter=letter, upload=upload, actor=request.user)
    except ValidationError as error:
        if error.code == "wrong_state":  # the letter, not the file, is the problem
            raise
        raise ValidationError({"attachment": error.messages}) from error


def _save_letter(request: HttpRequest, form: LetterForm, save: Callable[[], Letter]) -> Letter | None:
    """The letter and its first attachment in one transaction: a refused file leaves nothing behind."""
    try:
        with transaction.atomic():
            letter = save()
            if form.cleaned_data.get("attachment"):
                _attach(request, letter, form.cleaned_data["attachment"])
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as error:
        apply_service_errors(form, error)
        return None
    return letter


@login_required
def letter_new(request: HttpRequest) -> HttpResponse:
    entity = current_entity(request)
    if not has_role(request.user, entity, selectors.WRITER_ROLES):
        raise Http404
    form = LetterForm(request.POST or None, request.FILES or None, sender=entity)
    if request.method == "POST" and form.is_valid():
        letter = _save_letter(
            request,
            form,
            lambda: services.letter_draft(sender=entity, content=form.content(), actor=request.user),
        )
        if letter is not None:
            messages.success(request, _("The draft has been saved."))
            return redirect("documents:letter", pk=letter.pk)
    context = {"form": form, "entity": entity, "my_entities": staff_entities(request)}
    return render(request, "documents/letter_form.html", context)


def _editable(letter: Letter) -> bool:
    return letter.status in (LetterStatus.DRAFT, LetterStatus.RETURNED)


@login_required
def letter_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    letter = _visible_letter(request, pk)
    if not (_editable(letter) and has_role(request.user, letter.sender_entity, selectors.WRITER_ROLES)):
        raise Http404
    initial = {
        "subject": letter.subject,
        "body": letter.body,
        "classification": letter.classification,
        "priority": letter.priority,
        "reply_due": letter.reply_due,
        "to": [r.entity_id for r in letter.recipients.all() if r.kind == RecipientKind.TO],
        "cc": [r.entity_id for r in letter.recipients.all() if r.kind == RecipientKind.CC],
        "readers": list(letter.named_readers.values_list("pk", flat=True)),
    }
    form = LetterForm(request.POST or None, request.FILES or None, sender=letter.sender_entity, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save_letter(
            request, form, lambda: services.letter_edit(letter=letter, content=form.content(), actor=request.user)
        )
        if saved is not None:
            messages.success(request, _("The draft has been saved."))
            return redirect("documents:letter", pk=letter.pk)
    return render(
        request, "documents/letter_form.html", {"form": form, "letter": letter, "entity": letter.sender_entity}
    )


# --- one letter --------------------------------------------------------------------------------


def _visible_letter(request: HttpRequest, pk: UUID) -> Letter:
    return get_object_or_404(selectors.letters_visible(request.user).select_related("signer"), pk=pk)


def _visible_recipient(request: HttpRequest, pk: int) -> LetterRecipient:
    visible = selectors.letters_visible(request.user).values("pk")
    return get_object_or_404(
        LetterRecipient.objects.filter(letter__in=visible).select_related("letter__sender_entity", "entity"), pk=pk
    )


@dataclass
class Copy:
    """The letter as one of the viewer's entities received it, with what they may do with it."""

    recipient: LetterRecipient
    can_write: bool
    refer_form: ReferralForm
    referrals: list[Referral] = field(default_factory=list)


def _detail_context(request: HttpRequest, letter: Letter, **bound: Any) -> dict[str, Any]:
    """What the letter page shows and which actions this person may take: decided by role and state."""
    user = request.user
    sender = letter.sender_entity
    sender_writer = has_role(user, sender, selectors.WRITER_ROLES)
    recipients = list(letter.recipients.select_related("entity", "delivered_by", "registered_by"))
    my_entities = set(entities_of(user, roles=selectors.STAFF_ROLES).values_list("pk", flat=True))
    dispatched = letter.status == LetterStatus.DISPATCHED
    copies = []
    for recipient in recipients:
        if dispatched and recipient.entity_id in my_entities:
            refer = bound.get("refer")
            copies.append(
                Copy(
                    recipient=recipient,
                    can_write=has_role(user, recipient.entity, selectors.WRITER_ROLES),
                    refer_form=refer[1]
                    if refer and refer[0] == recipient.pk
                    else ReferralForm(entity=recipient.entity),
                    referrals=list(recipient.referrals.select_related("referred_to", "created_by")),
                )
            )
    closing = bound.get("close")
    my_referrals = [
        (referral, closing[1] if closing and closing[0] == referral.pk else CloseReferralForm())
        for copy in copies
        for referral in copy.referrals
        if referral.referred_to_id == user.pk and referral.closed_at is None
    ]
    return {
        "letter": letter,
        "recipients": recipients,
        "to": [r for r in recipients if r.kind == RecipientKind.TO],
        "cc": [r for r in recipients if r.kind == RecipientKind.CC],
        "attachments": list(letter.attachments.all()),
        "history": feed(selectors.letter_history(user, letter), user, with_entity=True),
        "is_sender_staff": sender.pk in my_entities,
        "copies": copies,
        "my_referrals": my_referrals,
        "replies": list(letter.replies.filter(status=LetterStatus.DISPATCHED).select_related("sender_entity")),
        "can_edit": sender_writer and _editable(letter),
        "can_approve": has_role(user, sender, selectors.HEAD_ROLES) and letter.status == LetterStatus.SUBMITTED,
        "can_dispatch": sender_writer and letter.status == LetterStatus.APPROVED,
        "paper_pending": [
            r for r in recipients if sender_writer and r.delivery_mode == DeliveryMode.PAPER and r.delivered_at is None
        ],
        "attach_form": bound.get("attach", AttachmentForm()),
        "return_form": bound.get("return", ReturnForm()),
        "entity": sender if sender.pk in my_entities else None,
    }


@login_required
def letter_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    letter = _visible_letter(request, pk)
    services.letter_read(letter=letter, actor=request.user)
    if letter.status == LetterStatus.DISPATCHED:
        mine = entities_of(request.user, roles=selectors.STAFF_ROLES)
        for recipient in letter.recipients.filter(entity__in=mine, delivered_at__isnull=True):
            services.letter_open(recipient=recipient, actor=request.user)
    return render(request, "documents/letter_detail.html", _detail_context(request, letter))


@login_required
def attachment_download(request: HttpRequest, pk: UUID) -> FileResponse:
    """Files only through this permission check: the attachment's letter must be visible to the viewer."""
    visible = selectors.letters_visible(request.user).values("pk")
    attachment = get_object_or_404(Attachment.objects.filter(letter__in=visible), pk=pk)
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )


@login_required
def letter_pdf(request: HttpRequest, pk: UUID) -> HttpResponse | FileResponse:
    """The printed letter as the worker stored it; until then a page that waits for it. Reading
    it is a read like opening the letter (audited when confidential)."""
    letter = _visible_letter(request, pk)
    if letter.status != LetterStatus.DISPATCHED or letter.artifact is None:
        raise Http404
    return pdf_page(
        request,
        letter,
        title=_("The letter's PDF is being prepared"),
        document=isolated(_("Letter %(number)s"), number=letter.number),
        back_url=reverse("documents:letter", args=[letter.pk]),
        back_label=_("Back to the letter"),
        on_serve=lambda: services.letter_read(letter=letter, actor=request.user),
    )


# --- actions on a letter -----------------------------------------------------------------------


def _letter_action(
    request: HttpRequest,
    letter: Letter,
    action: Callable[[], Any],
    success: str = "",
    *,
    form: Form | None = None,
    bound: dict[str, Any] | None = None,
    then: Callable[[Any], HttpResponse] | None = None,
) -> HttpResponse:
    """Run a service; when it refuses, show the letter again with the message beside ``form``
    (``bound`` says where the page shows that form), or at the top of the page."""
    try:
        result = action()
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as error:
        if form is None:
            messages.error(request, " ".join(error.messages))
            return redirect("documents:letter", pk=letter.pk)
        apply_service_errors(form, error)
        return _invalid(request, letter, bound or {})
    if success:
        messages.success(request, success)
    return then(result) if then else redirect("documents:letter", pk=letter.pk)


def _invalid(request: HttpRequest, letter: Letter, bound: dict[str, Any]) -> HttpResponse:
    letter = _visible_letter(request, letter.pk)
    return render(request, "documents/letter_detail.html", _detail_context(request, letter, **bound), status=400)


@login_required
@require_POST
def letter_submit(request: HttpRequest, pk: UUID) -> HttpResponse:
    letter = _visible_letter(request, pk)
    return _letter_action(
        request,
        letter,
        lambda: services.letter_submit(letter=letter, actor=request.user),
        _("The letter has been sent to the head of the entity for approval."),
    )


@login_required
@require_POST
def letter_attach(request: HttpRequest, pk: UUID) -> HttpResponse:
    letter = _visible_letter(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, letter, {"attach": form})

    return _letter_action(
        request,
        letter,
        lambda: _attach(request, letter, form.cleaned_data["attachment"]),
        _("The file has been attached."),
        form=form,
        bound={"attach": form},
    )


@login_required
@require_POST
def letter_return(request: HttpRequest, pk: UUID) -> HttpResponse:
    letter = _visible_letter(request, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _invalid(request, letter, {"return": form})
    return _letter_action(
        request,
        letter,
        lambda: services.letter_return(letter=letter, comment=form.cleaned_data["comment"], actor=request.user),
        _("The letter has been returned to its drafter."),
        form=form,
        bound={"return": form},
    )


@login_required
@require_POST
def letter_approve(request: HttpRequest, pk: UUID) -> HttpResponse:
    letter = _visible_letter(request, pk)
    return _letter_action(
        request,
        letter,
        lambda: services.letter_approve(letter=letter, actor=request.user),
        _("You have approved and signed the letter. It can now be dispatched."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def letter_dispatch(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Dispatch cannot be undone: a page first says who gets the letter and how (electronically or
    on paper); its button dispatches."""
    letter = _visible_letter(request, pk)
    if not (
        letter.status == LetterStatus.APPROVED and has_role(request.user, letter.sender_entity, selectors.WRITER_ROLES)
    ):
        raise Http404
    if request.method == "GET":
        recipients = list(letter.recipients.select_related("entity"))
        for recipient in recipients:
            recipient.delivery_mode = services.delivery_mode(letter.sender_entity, recipient.entity)
        context = {
            "letter": letter,
            "electronic": [r for r in recipients if r.delivery_mode == DeliveryMode.ELECTRONIC],
            "paper": [r for r in recipients if r.delivery_mode == DeliveryMode.PAPER],
        }
        return render(request, "documents/letter_dispatch.html", context)

    def dispatch() -> Letter:
        sent = services.letter_dispatch(letter=letter, actor=request.user)
        messages.success(request, _("The letter has been dispatched as number %(number)s.") % {"number": sent.number})
        if sent.recipients.filter(delivery_mode=DeliveryMode.PAPER).exists():
            messages.info(
                request,
                _("Some recipients are not linked yet: print the letter and record each delivery by hand."),
            )
        return sent

    return _letter_action(request, letter, dispatch)


# --- actions on a received copy ----------------------------------------------------------------


@login_required
@require_POST
def recipient_paper_delivered(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = _visible_recipient(request, pk)
    return _letter_action(
        request,
        recipient.letter,
        lambda: services.letter_paper_delivered(recipient=recipient, actor=request.user),
        _("Delivery of the paper copy to %(entity)s has been recorded.") % {"entity": recipient.entity.name},
    )


@login_required
@require_POST
def recipient_register(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = _visible_recipient(request, pk)

    def register() -> LetterRecipient:
        registered = services.letter_register(recipient=recipient, actor=request.user)
        messages.success(
            request,
            _("The letter has been registered as incoming number %(number)s.") % {"number": registered.incoming_number},
        )
        return registered

    return _letter_action(request, recipient.letter, register)


@login_required
@require_POST
def recipient_refer(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = _visible_recipient(request, pk)
    form = ReferralForm(request.POST, entity=recipient.entity)
    if not form.is_valid():
        return _invalid(request, recipient.letter, {"refer": (recipient.pk, form)})
    data = form.cleaned_data
    return _letter_action(
        request,
        recipient.letter,
        lambda: services.referral_create(
            recipient=recipient,
            referred_to=data["referred_to"],
            minute=data["minute"],
            due=data["due"],
            actor=request.user,
        ),
        _("The letter has been referred."),
        form=form,
        bound={"refer": (recipient.pk, form)},
    )


@login_required
@require_POST
def recipient_reply(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = _visible_recipient(request, pk)
    return _letter_action(
        request,
        recipient.letter,
        lambda: services.letter_reply(recipient=recipient, actor=request.user),
        _("A reply has been drafted. Write its text, then submit it for approval."),
        then=lambda reply: redirect("documents:edit", pk=reply.pk),
    )


@login_required
@require_POST
def referral_close(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(
        Referral.objects.filter(referred_to=request.user).select_related("recipient__letter"), pk=pk
    )
    letter = _visible_letter(request, referral.recipient.letter_id)
    form = CloseReferralForm(request.POST)
    if not form.is_valid():
        return _invalid(request, letter, {"close": (referral.pk, form)})
    return _letter_action(
        request,
        letter,
        lambda: services.referral_close(referral=referral, note=form.cleaned_data["note"], actor=request.user),
        _("The referral has been closed."),
        form=form,
        bound={"close": (referral.pk, form)},
    )


@login_required
def paper_letter_new(request: HttpRequest) -> HttpResponse:
    """Register a paper letter from an entity that is not linked yet: its scan gets an incoming number."""
    entity = current_entity(request)
    if not has_role(request.user, entity, selectors.WRITER_ROLES):
        raise Http404
    form = PaperLetterForm(request.POST or None, request.FILES or None, entity=entity)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                copy = services.paper_letter_receive(
                    entity=entity,
                    sender=data["sender"],
                    number=data["number"],
                    date=data["date"],
                    subject=data["subject"],
                    scan=data["scan"],
                    actor=request.user,
                )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Registered as incoming %(number)s.") % {"number": copy.incoming_number})
            return redirect("documents:letter", pk=copy.letter_id)
    context = {"form": form, "entity": entity, "my_entities": staff_entities(request)}
    return render(request, "documents/paper_form.html", context)
