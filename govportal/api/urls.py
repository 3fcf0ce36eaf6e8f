from django.urls import path
from oauth2_provider.views import TokenView

from govportal.api.api import build_api
from govportal.api.registry import router_register
from govportal.api.views import router

router_register("", router)
api = build_api()

urlpatterns = [
    path("oauth/token", TokenView.as_view(), name="api_token"),
    path("", api.urls),
]
