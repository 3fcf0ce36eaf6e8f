from django.urls import path

from training import views

app_name = "training"
urlpatterns = [
    path("", views.index, name="index"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/quota/", views.programme_quota, name="programme_quota"),
    path("programmes/<int:pk>/sessions/new/", views.programme_session_new, name="programme_session_new"),
    path("sessions/<uuid:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<uuid:pk>/nominate/", views.session_nominate, name="session_nominate"),
    path("sessions/<uuid:pk>/import/", views.session_import, name="session_import"),
    path("sessions/<uuid:pk>/calendar.ics", views.session_calendar, name="session_ics"),
    path("sessions/<uuid:pk>/attendance/", views.attendance, name="attendance"),
    path("sessions/<uuid:pk>/checkin/", views.checkin_display, name="checkin_display"),
    path("checkin/<str:token>/", views.checkin_scan, name="checkin"),
    path("nominations/", views.nominations, name="nominations"),
    path("nominations/<int:pk>/approve/", views.nomination_approve, name="nomination_approve"),
    path("nominations/<int:pk>/reject/", views.nomination_reject, name="nomination_reject"),
    path("enrollments/<int:pk>/cancel/", views.enrollment_cancel, name="enrollment_cancel"),
    path("enrollments/<int:pk>/result/", views.enrollment_result, name="enrollment_result"),
    path("certificates/<uuid:pk>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<uuid:pk>/pdf", views.certificate_pdf, name="certificate_pdf"),
    path("reports/", views.reports, name="reports"),
]
