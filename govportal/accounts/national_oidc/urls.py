"""allauth's OpenID Connect URLs (same paths and names), served by our adapter."""

from django.urls import include, path

from govportal.accounts.national_oidc import views

urlpatterns = [
    path(
        "oidc/<str:provider_id>/",
        include(
            [
                path("login/", views.login, name="openid_connect_login"),
                path("login/callback/", views.callback, name="openid_connect_callback"),
            ]
        ),
    )
]
