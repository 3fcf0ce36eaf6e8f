from django.urls import path

from govportal.verification import views

urlpatterns = [
    path(".well-known/jwks.json", views.jwks_view, name="jwks"),
    path("v/<str:token>", views.verify_token, name="verify_token"),
    path("v/<str:token>/json", views.verify_token_json, name="verify_token_json"),
    path("verify/", views.lookup, name="verify_lookup"),
    path("verify/scan", views.scan, name="verify_scan"),
    path("verify/status.json", views.status_list_view, name="verify_status_list"),
    path("verify/sw.js", views.service_worker, name="verify_sw"),
]
