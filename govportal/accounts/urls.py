from django.urls import path

from govportal.accounts import views

urlpatterns = [
    path("national/link/", views.national_link, name="national_link"),
]
