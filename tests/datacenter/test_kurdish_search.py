"""A holder's name typed on a Kurdish keyboard (ک ی ە) is found by its Arabic spelling (ك ي ة)."""

from __future__ import annotations

import dataclasses

import pytest

from datacenter.selectors import requests_visible, search_requests
from tests.datacenter.conftest import DETAILS


@pytest.mark.postgres
def test_a_holder_name_typed_on_a_kurdish_keyboard_is_found_by_its_arabic_spelling(world, submitted):
    details = dataclasses.replace(DETAILS, holder_name="کریم علی الحیدری")
    wanted = submitted(details)
    submitted()
    visible = requests_visible(world["clerk"])
    assert list(search_requests(visible, "كريم علي الحيدري")) == [wanted]
