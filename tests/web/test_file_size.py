"""Sizes as people say them: whole numbers and the unit in their language (not "200.0 م.ب.")."""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation

from govportal.uploads import check_size, file_size

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("size", "ar", "en"),
    [
        (200 * MB, "200 ميغابايت", "200 MB"),
        (10 * MB, "10 ميغابايت", "10 MB"),
        (2 * MB, "2 ميغابايت", "2 MB"),
        (int(1.4 * MB), "1 ميغابايت", "1 MB"),
        (3 * 1024**3, "3 غيغابايت", "3 GB"),
        (1536, "2 كيلوبايت", "2 KB"),
        (1, "بايت واحد", "1 byte"),
        (500, "500 بايت", "500 bytes"),
    ],
)
def test_a_size_reads_as_a_whole_number_with_its_unit(size, ar, en):
    with translation.override("ar"):
        assert file_size(size) == ar
    with translation.override("en"):
        assert file_size(size) == en


def test_the_template_filter_says_the_same():
    template = Template("{% load ui %}{{ size|filesize }}")
    with translation.override("ar"):
        assert template.render(Context({"size": 200 * MB})) == "200 ميغابايت"


@pytest.mark.parametrize(
    ("language", "message"), [("ar", "حجم الملف أكبر من 10 ميغابايت."), ("en", "The file is larger than 10 MB.")]
)
def test_a_file_too_large_is_refused_with_the_limit_in_words(language, message):
    assert check_size(10 * MB, max_bytes=10 * MB) == 10 * MB
    with translation.override(language), pytest.raises(ValidationError) as error:
        check_size(10 * MB + 1, max_bytes=10 * MB)
    assert error.value.messages == [message] and error.value.code == "too_large"
