"""The production shape runs only when asked for (``pytest -m prodshape``: its own step of .ci/run)."""

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Unlike the other tests', these must not empty the Redis database: the stack is using it."""
    yield
