"""The message catalogues: every language has every key, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from teamsolver import i18n


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_languages_are_english_first_then_chinese() -> None:
    assert i18n.languages()[:1] == ("en",)
    assert "zh" in i18n.languages()


@pytest.mark.parametrize("lang", [lang for lang in i18n.languages() if lang != "en"])
def test_every_language_has_exactly_the_english_keys(lang: str) -> None:
    english = i18n.catalogue("en")
    other = i18n.catalogue(lang)
    assert sorted(english.keys() - other.keys()) == [], f"{lang} lacks these keys"
    assert sorted(other.keys() - english.keys()) == [], f"{lang} has keys English lacks"


@pytest.mark.parametrize("lang", [lang for lang in i18n.languages() if lang != "en"])
def test_every_text_has_the_english_placeholders(lang: str) -> None:
    english = i18n.catalogue("en")
    other = i18n.catalogue(lang)
    wrong = {
        key: (placeholders(english[key]), placeholders(other[key]))
        for key in english
        if placeholders(english[key]) != placeholders(other[key])
    }
    assert wrong == {}


@pytest.mark.parametrize("lang", i18n.languages())
def test_no_text_is_empty(lang: str) -> None:
    assert [k for k, v in i18n.catalogue(lang).items() if not v.strip()] == []


def test_text_fills_placeholders_and_refuses_what_it_lacks() -> None:
    assert i18n.text("role.deputy", "zh") == "副组长"
    assert i18n.text("role.deputy") == "deputy"
    assert i18n.texts("role", "zh") == {"leader": "组长", "deputy": "副组长", "member": "组员"}
    with pytest.raises(KeyError):
        i18n.text("role.chair", "en")
    with pytest.raises(ValueError, match="unknown language 'fr'; expected one of en, zh"):
        i18n.text("role.leader", "fr")
