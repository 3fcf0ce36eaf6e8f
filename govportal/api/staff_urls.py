from django.urls import path

from govportal.api import staff_views

app_name = "api"

urlpatterns = [
    path("", staff_views.client_list, name="client_list"),
    path("new/", staff_views.client_create, name="client_create"),
    path("<uuid:pk>/", staff_views.client_detail, name="client_detail"),
    path("<uuid:pk>/rotate/", staff_views.client_rotate, name="client_rotate"),
    path("<uuid:pk>/revoke/", staff_views.client_revoke, name="client_revoke"),
]
