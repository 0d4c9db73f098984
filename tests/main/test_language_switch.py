"""Switching the interface language (main.set_language): English for a reviewer from elsewhere, German again."""

from __future__ import annotations

import re

GERMAN_START = ("Guten Tag", "Mein Überblick", "Was ist zu tun?", "Höchstgrenze F1–F4", ">Anträge</a>")
ENGLISH_START = ("Good day", "My overview", "What needs to be done?", "Ceiling F1–F4", ">Applications</a>")
GERMAN_KOMMUNE = ("Zuwendungshöchstgrenze F1–F4", "Erreichte Teilnehmende", "noch kein Antrag")
ENGLISH_KOMMUNE = ("Grant ceiling F1–F4", "Participants reached", "no application yet")


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _assert_language(page: str, lang: str, present: tuple[str, ...], absent: tuple[str, ...]) -> None:
    assert f'<html lang="{lang}">' in page
    for text in present:
        assert text in page, text
    for text in absent:
        assert text not in page, text


def test_switch_to_english_and_back(client, make_user):
    client.login(make_user("kommune", kommune_ags="05315"))
    _assert_language(_page(client, "/"), "de", GERMAN_START, ENGLISH_START)
    assert 'action="/sprache/en"' in _page(client, "/")

    response = client.post("/sprache/en", headers={"Referer": "/kommunen/05315"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/kommunen/05315")
    _assert_language(_page(client, "/"), "en", ENGLISH_START, GERMAN_START)
    _assert_language(_page(client, "/kommunen/05315"), "en", ENGLISH_KOMMUNE, GERMAN_KOMMUNE)
    assert 'action="/sprache/de"' in _page(client, "/")

    client.post("/sprache/de")
    _assert_language(_page(client, "/"), "de", GERMAN_START, ENGLISH_START)
    _assert_language(_page(client, "/kommunen/05315"), "de", GERMAN_KOMMUNE, ENGLISH_KOMMUNE)


def test_english_error_page_and_flash_message(client, make_user):
    client.login(make_user("kommune", kommune_ags="05315"))
    client.post("/sprache/en")
    missing = client.get("/kommunen/99999")
    assert missing.status_code == 404 and "Not found" in missing.get_data(as_text=True)
    client.post("/abmelden")
    login = client.get("/anmelden").get_data(as_text=True)
    assert "You have been signed out." in login and re.search(r"<h1>Sign in</h1>", login)


def test_language_switch_needs_no_login_and_refuses_other_languages(client):
    page = client.get("/anmelden").get_data(as_text=True)
    assert "<h1>Anmelden</h1>" in page and 'action="/sprache/en"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.client.post("/sprache/fr", data={"csrf_token": token}).status_code == 404
    assert client.client.post("/sprache/en", data={"csrf_token": token}).status_code == 302
    assert "<h1>Sign in</h1>" in client.get("/anmelden").get_data(as_text=True)
