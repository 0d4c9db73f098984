"""The English catalogue and the wrapped templates (docs/ui.md, "Sprachen / Translations").

- every text extracted from the current sources has a non-empty, non-fuzzy English translation,
  and the committed ``messages.mo`` is the compiled ``messages.po``;
- placeholders (``%(name)s``, ``%%``) and HTML tags are the same in the German and English text;
- the converted template folders contain no German text outside ``_()`` / ``{% trans %}``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "translations" / "en" / "LC_MESSAGES"
# Template folders whose texts are wrapped (budgets and innovationsfonds since the second pass).
CONVERTED = ["", "_macros", "main", "auth", "allocation", "grants", "notifications", "scheduler", "errors",
             "innovationsfonds", "budgets"]
# Legally binding German texts, never translated (also ignored in babel.cfg).
NOT_TRANSLATED = {"grants/decision_document.html"}
# Text that is the same in both languages: names, abbreviations, file formats, symbols.
ALLOWED_TEXT = {"Durchstarten", "in Ausbildung und Arbeit", "Durchstarten in Ausbildung und Arbeit", "API", "CSV",
                "XLSX", "AGS", "OK", "ms", "F1–F4", "Revision"}


def _messages(path: Path) -> dict[str, object]:
    with path.open("rb") as handle:
        catalog = read_po(handle) if path.suffix in (".po", ".pot") else read_mo(handle)
    return {message.id: message for message in catalog if message.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, object]:
    """Extract the current sources exactly as scripts/i18n-update does (same options)."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "--ignore-dirs",
                                ".* __pycache__", "-k", "lazy_gettext", "-k", "_l", "--no-location",
                                "-o", str(pot), str(ROOT)])
    return _messages(pot)


@pytest.fixture(scope="module")
def english() -> dict[str, object]:
    return _messages(CATALOGUE / "messages.po")


def test_every_extracted_text_has_an_english_translation(extracted, english):
    assert len(extracted) > 400  # the extraction really ran over app/ and templates/
    missing = sorted(text for text in extracted if text not in english)
    empty = sorted(text for text in extracted if text in english and not english[text].string)
    fuzzy = sorted(text for text in extracted if text in english and english[text].fuzzy)
    assert (missing, empty, fuzzy) == ([], [], []), "run ./scripts/i18n-update and translate messages.po"


def test_compiled_catalogue_matches_the_po_file(english):
    compiled = _messages(CATALOGUE / "messages.mo")
    expected = {text: m.string for text, m in english.items() if m.string and not m.fuzzy}
    assert {text: m.string for text, m in compiled.items()} == expected, "run ./scripts/i18n-update"


_PLACEHOLDER = re.compile(r"%\(\w+\)s|%%")
_TAG = re.compile(r"</?\w+[^>]*>")


@pytest.mark.parametrize("pattern", [_PLACEHOLDER, _TAG], ids=["placeholders", "html-tags"])
def test_translations_keep_placeholders_and_tags(english, pattern):
    differing = {text: m.string for text, m in english.items()
                 if sorted(pattern.findall(text)) != sorted(pattern.findall(m.string))}
    assert differing == {}


def test_placeholder_check_catches_a_lost_placeholder():
    assert sorted(_PLACEHOLDER.findall("Stand %(day)s, 90 %%")) != sorted(_PLACEHOLDER.findall("As of today"))


# ------------------------------------------------------------------ unwrapped German in templates
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_LITERAL = re.compile(r"""(_\(\s*)?('([^'\\]|\\.)*'|"([^"\\]|\\.)*")""")
_ATTRIBUTE = re.compile(r'\b(?:aria-label|title|alt|placeholder|data-confirm)="([^"]*)"')
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]{2,}")
_CODE = re.compile(r"<(code|pre|script|style)\b.*?</\1>", re.S)


def _prose(text: str) -> bool:
    text = " ".join(text.split())
    return bool(_WORD.search(text)) and text.strip(" –·:,.()") not in ALLOWED_TEXT


def unwrapped_texts(source: str) -> list[str]:
    """German-looking text a person would see that is not passed through gettext.

    Heuristic: text between tags and the values of visible attributes (outside Jinja blocks), and
    string literals inside Jinja expressions that look like prose (a space or an umlaut) unless they
    are the first argument of ``_()``. Text in <code>/<pre> and the ALLOWED_TEXT are ignored.
    """
    source = _JINJA_COMMENT.sub("", source)
    found = []
    for block in _JINJA.findall(source):
        if block.startswith("{%") and re.match(r"\{%-?\s*(extends|include|import|from)\b", block):
            continue
        for wrapped, literal, *_ in _LITERAL.findall(block):
            value = literal[1:-1]
            if not wrapped and _prose(value) and (" " in value.strip() or re.search("[äöüÄÖÜß]", value)):
                found.append(value)
    markup = _CODE.sub(" ", _JINJA.sub("\x00", source))
    found += [value for value in _ATTRIBUTE.findall(markup) if _prose(value.replace("\x00", " "))]
    for text in re.split(r"<[^>]*>", markup):
        found += [part for part in text.split("\x00") if _prose(part)]
    return [" ".join(text.split()) for text in found]


def _templates(folder: str) -> list[Path]:
    base = ROOT / "templates" / folder
    files = base.glob("*.html") if folder == "" else base.rglob("*.html")
    return sorted(path for path in files if path.relative_to(ROOT / "templates").as_posix() not in NOT_TRANSLATED)


@pytest.mark.parametrize("folder", CONVERTED, ids=lambda folder: folder or "base")
def test_converted_templates_have_no_unwrapped_german_text(folder):
    found = {path.relative_to(ROOT).as_posix(): texts for path in _templates(folder)
             if (texts := unwrapped_texts(path.read_text(encoding="utf-8")))}
    assert found == {}


@pytest.mark.parametrize("source, expected", [
    ("<h1>Anträge</h1>", ["Anträge"]),
    ("<h1>{{ _('Anträge') }}</h1>", []),
    ('<nav aria-label="Seiten">', ["Seiten"]),
    ("<td>{{ x if x else 'noch nicht veröffentlicht' }}</td>", ["noch nicht veröffentlicht"]),
    ("<td>{{ x if x else _('noch nicht veröffentlicht') }}</td>", []),
    ("<p>Stand {{ today|date_de }}</p>", ["Stand"]),
    ("{# Ein Kommentar #}<code>durchstarten scheduler</code> <th>AGS</th>", []),
])
def test_unwrapped_text_checker(source, expected):
    assert unwrapped_texts(source) == expected
