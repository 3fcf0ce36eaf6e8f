"""Provider notifications: authenticated on the raw body, stored once, processed in a task."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from collection import services
from collection.constants import Provider
from collection.providers import ProviderError, WebhookRejected

logger = logging.getLogger("collection.webhooks")
MAX_BODY = 64 * 1024


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, provider: str) -> HttpResponse:
    if provider not in (Provider.SANDBOX, Provider.FIB):
        raise Http404
    body = request.body[: MAX_BODY + 1]
    if len(body) > MAX_BODY:
        logger.warning("webhook from %s refused: body too large", provider)
        return JsonResponse({"error": "body too large"}, status=413)
    try:
        event = services.webhook_receive(provider=provider, body=body, headers=dict(request.headers))
    except WebhookRejected as error:
        logger.warning("webhook from %s rejected (%s) from %s", provider, error, request.META.get("REMOTE_ADDR"))
        return JsonResponse({"error": "rejected"}, status=400)
    except ProviderError:
        raise Http404 from None
    return JsonResponse({"received": True, "duplicate": event is None}, status=200)
