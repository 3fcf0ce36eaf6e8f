from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from govportal.audit.services import audit_record


class ApiCallAuditMiddleware:
    """Every call an API client makes is written to the audit log with the client, its entity, the
    method, the path and the answer's status (refused calls included)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        client = getattr(request, "api_client", None)
        if client is not None:
            audit_record(
                action="api_call",
                entity=client.entity,
                target=client,
                data={"method": request.method, "path": request.path[:200], "status": response.status_code},
                request=request,
            )
        return response
