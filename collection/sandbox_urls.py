from django.urls import path

from collection.views import sandbox

app_name = "sandbox"
urlpatterns = [
    path("pay/<str:charge_id>/", sandbox.pay, name="pay"),
    path("settlements/<str:day>.csv", sandbox.settlement, name="settlement"),
]
