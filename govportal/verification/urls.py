from django.urls import path

from govportal.verification import batch_views, views

urlpatterns = [
    path(".well-known/jwks.json", views.jwks_view, name="jwks"),
    path("v/<str:token>", views.verify_token, name="verify_token"),
    path("v/<str:token>/json", views.verify_token_json, name="verify_token_json"),
    path("verify/", views.lookup, name="verify_lookup"),
    path("verify/scan", views.scan, name="verify_scan"),
    path("verify/status.json", views.status_list_view, name="verify_status_list"),
    path("verify/status-lists/<int:number>", views.status_list_token_view, name="verify_status_list_token"),
    path("verify/trust-list", views.trust_list_view, name="verify_trust_list"),
    path("verify/sw.js", views.service_worker, name="verify_sw"),
    # Auditors' files of documents to check
    path("verify/files/", batch_views.batches, name="verify_batches"),
    path("verify/files/new/", batch_views.batch_new, name="verify_batch_new"),
    path("verify/files/<uuid:pk>/", batch_views.batch_detail, name="verify_batch"),
    path("verify/files/<uuid:pk>/results.csv", batch_views.batch_results, name="verify_batch_results"),
]
