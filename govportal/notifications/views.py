from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from govportal.notifications.models import Notification
from govportal.notifications.services import notifications_mark_read
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.filter(user=request.user)
    page = Paginator(items, 25).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    return redirect("notifications")
