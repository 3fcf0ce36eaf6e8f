"""Every portal URL, plus ``/bench/trivial``: the baseline the verify page is compared with.

The trivial view goes through the same middleware stack as every portal page and does no I/O,
so the difference between the two is what the verify page itself costs.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from govportal.urls import handler404, handler500
from govportal.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


# First, so that the portal's URLs resolve with one extra pattern to try, never one fewer.
urlpatterns = [path("bench/trivial", trivial), *portal_urlpatterns]
