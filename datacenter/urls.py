from django.urls import path

from datacenter import views

app_name = "datacenter"
urlpatterns = [
    path("", views.index, name="index"),
    path("requests/", views.requests_sent_list, name="requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<uuid:pk>/", views.request_detail, name="request_detail"),
    path("requests/<uuid:pk>/scan", views.request_attachment, name="request_attachment"),
    path("requests/<uuid:pk>/review/", views.request_review, name="request_review"),
    path("requests/<uuid:pk>/answer/", views.request_answer_view, name="request_answer"),
    path("requests/<uuid:pk>/return/", views.request_return_view, name="request_return"),
    path("requests/<uuid:pk>/resubmit/", views.request_resubmit_view, name="request_resubmit"),
    path("queue/", views.queue, name="queue"),
    path("certificates/", views.certificate_list, name="certificates"),
    path("certificates/<uuid:pk>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<uuid:pk>/pdf", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<uuid:pk>/revoke/", views.certificate_revoke_view, name="certificate_revoke"),
]
