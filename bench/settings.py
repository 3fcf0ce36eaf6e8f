"""The portal's own settings with one change: the URLconf adds the trivial view of bench/urls.py."""

from govportal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
