from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from govportal.accounts.constants import OVERSIGHT_ROLES
from govportal.accounts.selectors import (
    entity_staff,
    get_for_user_or_404,
    has_totp,
    is_staff_member,
    memberships_of,
    roles_in,
)
from govportal.entities.constants import LinkagePhase
from govportal.entities.models import Entity
from govportal.entities.selectors import rollout_progress, unlinked_entities
from govportal.web.digits import ARABIC_INDIC, COOKIE
from govportal.web.health import run_checks
from govportal.web.http import AuthenticatedHttpRequest
from govportal.web.workspace import activity, citizen_cards, workspace_cards

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    """Send each person where their work is: staff to their workspace, citizens to their page."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "web/home.html", {"progress": rollout_progress()})
    if memberships_of(user).exists():
        return redirect("workspace")
    if user.is_staff:
        return redirect("admin:index")
    return redirect("my_account")


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    memberships = list(memberships_of(request.user))
    entities = {m.entity_id: m.entity for m in memberships}
    if len(entities) == 1:
        return redirect("entity_workspace", code=memberships[0].entity.code)
    return render(request, "web/workspace_list.html", {"memberships": memberships})


@login_required
def entity_workspace(request: HttpRequest, code: str) -> HttpResponse:
    entity = get_for_user_or_404(Entity.objects.select_related("parent"), request.user, via="", code=code)
    roles = roles_in(request.user, entity)
    oversight = bool(roles & set(OVERSIGHT_ROLES))
    context: dict[str, object] = {
        "entity": entity,
        "roles": sorted(roles),
        "my_memberships": [m for m in memberships_of(request.user) if m.entity_id == entity.pk],
        "children": entity.children.filter(is_active=True).order_by("name_ar"),
        "oversight": oversight,
        "cards": workspace_cards(request.user, entity, roles),
    }
    if oversight:
        context["staff"] = entity_staff(entity)
        context["events"], context["activity"] = activity(request.user, entity, request.GET.get("page"))
    return render(request, "web/entity_workspace.html", context)


@login_required
def my_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    if is_staff_member(request.user) and not hasattr(request.user, "citizen_profile"):
        return redirect("home")
    profile = getattr(request.user, "citizen_profile", None)
    return render(
        request,
        "web/my_account.html",
        {"profile": profile, "has_totp": has_totp(request.user), "cards": citizen_cards(request.user)},
    )


def rollout(request: HttpRequest) -> HttpResponse:
    """Public progress of the electronic exchange rollout, phase by phase."""
    phase = request.GET.get("phase", "")
    unlinked = unlinked_entities(phase=int(phase) if phase.isdigit() and int(phase) in LinkagePhase.values else None)
    return render(
        request,
        "web/rollout.html",
        {
            "progress": rollout_progress(),
            "unlinked": Paginator(unlinked, 50).get_page(request.GET.get("page")),
            "phase_filter": phase,
            "phases": LinkagePhase.choices,
        },
    )


def _back_to(request: HttpRequest) -> str:
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target


# The two preference switches carry no CSRF token: they change only how pages read for this
# browser, never an account, and so public pages (the verify page) stay free of per-visitor tokens.
@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Remember the reader's language in a cookie and go back to the page they were on."""
    language = request.POST.get("language", "")
    response = redirect(_back_to(request))
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )
    return response


@csrf_exempt
@require_POST
def set_digits(request: HttpRequest) -> HttpResponse:
    """Remember whether the reader wants Arabic-Indic or Western digits."""
    choice = request.POST.get("digits", "")
    response = redirect(_back_to(request))
    if choice == ARABIC_INDIC:
        response.set_cookie(COOKIE, ARABIC_INDIC, max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure())
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    healthy = all(result["ok"] for result in checks.values())
    return JsonResponse({"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the emblem the pages link."""
    response = redirect(static("img/emblem.svg"))
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """A friendly page with a reference the person can quote to the help desk; details go to the log."""
    reference = uuid.uuid4().hex[:10].upper()
    logger.error("Server error, reference %s, path %s", reference, request.path, exc_info=True)
    try:
        return render(request, "500.html", {"reference": reference}, status=500)
    except Exception:  # noqa: BLE001 — the error page itself must never fail
        return HttpResponse(f"Server error. Reference {reference}", status=500, content_type="text/plain")
