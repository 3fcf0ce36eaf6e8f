"""Where citizens can pay in person: the open outlets, by governorate. No sign-in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from collection import selectors
from collection.forms import OutletDirectoryForm
from collection.models import Outlet


def outlet_directory(request: HttpRequest) -> HttpResponse:
    governorates = selectors.governorates_listed()
    form = OutletDirectoryForm(request.GET or None, governorates=governorates)
    chosen = form.cleaned_data["governorate"] if form.is_valid() else ""
    outlets = selectors.outlets_listed(chosen)
    groups: dict[str, list[Outlet]] = {}
    for outlet in outlets:
        groups.setdefault(outlet.get_governorate_display(), []).append(outlet)
    return render(
        request,
        "collection/outlets_public.html",
        {
            "form": form,
            "groups": groups,
            "count": len(outlets),
            "filtered": bool(chosen),
            "signup_url": reverse("account_signup"),
            "bills_url": reverse("collection:bills"),
        },
    )
