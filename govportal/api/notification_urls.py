from django.urls import path

from govportal.api import notification_views as staff_views

app_name = "api_staff"
urlpatterns = [
    path("", staff_views.deliveries, name="deliveries"),
    path("<uuid:pk>/", staff_views.delivery, name="delivery"),
    path("<uuid:pk>/resend/", staff_views.delivery_resend, name="delivery_resend"),
    path("clients/<uuid:pk>/", staff_views.endpoint, name="endpoint"),
    path("clients/<uuid:pk>/rotate/", staff_views.endpoint_rotate, name="endpoint_rotate"),
]
