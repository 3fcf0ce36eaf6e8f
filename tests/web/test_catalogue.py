"""The catalogues read as their languages are written: every entry translated and none fuzzy, Arabic
punctuation in Arabic and Kurdish, Kurdish in Kurdish letters, every plural form filled.

Four catalogues: ours in Arabic, English and Kurdish (Sorani), and the Kurdish for allauth's own
strings (locale_allauth/ckb: allauth ships none).

The catalogues are read from the .po files themselves (what translators edit), with a reader small
enough to keep here: comments, msgctxt, msgid, msgid_plural, msgstr and msgstr[n], continued strings.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from govportal.importing import problem_text

ROOT = Path(settings.BASE_DIR)
CATALOGUES = {
    "ar": ROOT / "locale" / "ar" / "LC_MESSAGES" / "django.po",
    "en": ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po",
    "ckb": ROOT / "locale" / "ckb" / "LC_MESSAGES" / "django.po",
    "ckb-allauth": ROOT / "locale_allauth" / "ckb" / "LC_MESSAGES" / "django.po",
}
FORMS = {"ar": 6, "en": 2, "ckb": 2}  # plural forms per language: nplurals in each catalogue's header
# Catalogues written in Arabic script, which take Arabic punctuation.
ARABIC_SCRIPT = ["ar", "ckb", "ckb-allauth"]
KURDISH = ["ckb", "ckb-allauth"]
# At least this many entries of each, so that a reader that read nothing cannot pass.
AT_LEAST = {"entries": {"ckb-allauth": 300}, "plurals": {"ckb-allauth": 2}}
KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')


def language_of(name: str) -> str:
    return name.split("-")[0]


def catalogue(name: str) -> list[dict[str, str]]:
    """The entries of the catalogue ``name`` (a key of ``CATALOGUES``), the header and obsolete ones
    left out, each a dict of its keywords; ``flags`` holds its "#," line."""
    text = CATALOGUES[name].read_text(encoding="utf-8")
    entries = []
    for block in re.split(r"\n\s*\n", text):
        entry: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] = line[2:]
            elif line.startswith("#"):
                continue
            elif match := KEYWORD.match(line):
                key = match.group(1)
                entry[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def translations(entry: dict[str, str]) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


# What is not sentence punctuation: placeholders, markup, addresses, and separators inside numbers.
NOT_PROSE = re.compile(
    r"%\([^)]*\)[sdif]|%[sdif]|\{\{[^}]*\}\}|\{[a-z_]*\}|<[^>]*>|&\w+;|https?://\S+|[\w.+-]+@[\w-]+\.[\w.]+|\d[,.]\d|[A-Za-z_]+,[A-Za-z_]+"
)
ARABIC_LETTER = re.compile("[\u0621-\u064a\u0671-\u06d5]")  # Arabic's letters and those Kurdish adds
LATIN = {",": "،", ";": "؛", "?": "؟"}


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_entry_is_translated_and_none_is_fuzzy(name):
    """Fails for "ckb" and "ckb-allauth" until the translators have finished the Kurdish catalogues."""
    entries = catalogue(name)
    assert len(entries) > AT_LEAST["entries"].get(name, 2000)  # the reader read them
    untranslated = [entry["msgid"] for entry in entries if not all(translations(entry))]
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry.get("flags", "")]
    assert not untranslated, f"{len(untranslated)} untranslated in {name}, e.g. {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {name}: {fuzzy[:10]}"


@pytest.mark.parametrize("name", ARABIC_SCRIPT)
def test_arabic_script_sentences_take_arabic_commas_semicolons_and_question_marks(name):
    wrong = []
    entries = catalogue(name)
    assert len(entries) > AT_LEAST["entries"].get(name, 2000)
    for entry in entries:
        for text in translations(entry):
            prose = NOT_PROSE.sub(" ", text)
            if not ARABIC_LETTER.search(prose) and not ARABIC_LETTER.search(text):
                continue  # not an Arabic sentence (a format, a code)
            marks = sorted({mark for mark in LATIN if mark in prose})
            if marks:
                wrong.append(f"{entry['msgid']!r} → {text!r}: {' '.join(f'{m} → {LATIN[m]}' for m in marks)}")
    assert not wrong, "\n".join(wrong)


# Kurdish written with the Arabic letters a Kurdish keyboard does not type: ك for ک, ي or ى for ی, ة for ە.
ARABIC_FORMS = re.compile("[كيىة]")


@pytest.mark.parametrize("name", KURDISH)
def test_kurdish_is_written_in_kurdish_letters(name):
    wrong = [
        f"{entry['msgid']!r} → {text!r}"
        for entry in catalogue(name)
        for text in translations(entry)
        if ARABIC_FORMS.search(NOT_PROSE.sub(" ", text))
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_plural_has_all_the_forms_its_language_needs(name):
    forms_needed = FORMS[language_of(name)]
    head = CATALOGUES[name].read_text(encoding="utf-8")[:2000]
    assert f"nplurals={forms_needed};" in head
    entries = catalogue(name)
    plurals = [entry for entry in entries if "msgid_plural" in entry]
    assert len(plurals) >= AT_LEAST["plurals"].get(name, 50)  # the reader read them
    missing = []
    for entry in plurals:
        forms = [entry.get(f"msgstr[{n}]", "") for n in range(forms_needed)]
        extra = [key for key in entry if key.startswith("msgstr[") and int(key[7:-1]) >= forms_needed]
        if not all(forms) or extra:
            missing.append(f"{entry['msgid']!r}: {forms}")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("name", ["ar", "en", "ckb"])
def test_no_count_hides_its_plural_behind_an_s_in_brackets(name):
    """ "employee(s)" is a plural avoided: a count takes ngettext (and Arabic its six forms)."""
    found = [entry["msgid"] for entry in catalogue(name) if re.search(r"\w\((s|es)\)", entry["msgid"])]
    assert not found, found


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_translation_uses_only_the_placeholders_of_its_msgid(name):
    """A placeholder the code does not give (a typo in a translation) breaks the page that shows it."""
    named = re.compile(r"%\((\w+)\)")
    wrong = []
    for entry in catalogue(name):
        given = set(named.findall(entry["msgid"] + entry.get("msgid_plural", "")))
        for text in translations(entry):
            if set(named.findall(text)) - given:
                wrong.append(f"{entry['msgid']!r} → {text!r}")
    assert not wrong, "\n".join(wrong)


def test_an_arabic_date_and_time_are_separated_by_an_arabic_comma():
    moment = dt.datetime(2026, 11, 22, 18, 9, tzinfo=dt.UTC)
    page = Template('{{ moment|date:"DATETIME_FORMAT" }}')
    with translation.override("ar"):
        arabic = page.render(Context({"moment": moment}))
    with translation.override("en"):
        english = page.render(Context({"moment": moment}))
    assert arabic == "22 تشرين الثاني 2026، 21:09"
    assert english == "22 November 2026, 21:09"


def test_the_reasons_a_row_is_refused_are_joined_by_an_arabic_semicolon():
    with translation.override("ar"):
        text = problem_text(3, ["السبب الأول", "السبب الثاني"])
    assert "السبب الأول؛ السبب الثاني" in text
    assert ";" not in text
