from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from govportal.notifications import views as notification_views
from govportal.web import views

# The admin signs in through allauth, so TOTP and rate limits apply there too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = _("govportal administration")
admin.site.site_title = _("govportal administration")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", views.home, name="home"),
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/<str:code>/", views.entity_workspace, name="entity_workspace"),
    path("me/", views.my_account, name="my_account"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/read/", notification_views.notification_read_all, name="notifications_read_all"),
    path("datacenter/", include("datacenter.urls")),
    path("collection/", include("collection.urls")),
    path("documents/", include("documents.urls")),
    path("training/", include("training.urls")),
    path("housing/", include("housing_fund.urls")),
    path("rollout/", views.rollout, name="rollout"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("i18n/digits/", views.set_digits, name="set_digits"),
    path("api/v1/", include("govportal.api.urls")),
    path("integrations/", include("govportal.api.staff_urls")),
    path("staff/api/notifications/", include("govportal.api.notification_urls")),
    path("accounts/", include("govportal.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("govportal.verification.urls")),
    path("admin/", admin.site.urls),
]

if settings.PAYMENT_SANDBOX:  # the test payment company, a "separate site" under one prefix
    urlpatterns.insert(0, path("sandbox-gateway/", include("collection.sandbox_urls")))
if settings.IDENTITY_SANDBOX:  # the test national identity provider (OpenID Connect), another "separate site"
    urlpatterns.insert(0, path("sandbox-idp/", include("sandbox_idp.urls")))

handler404 = "govportal.web.views.page_not_found"
handler500 = "govportal.web.views.server_error"
