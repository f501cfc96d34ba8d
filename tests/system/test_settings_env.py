"""Settings from the environment: clear words only, and a clear message when a value is wrong."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from hitpaw_site.env import env_bool, env_float, env_int, env_list, env_networks, env_str

NAME = "ENHANCER_TEST_SETTING"
PROJECT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("word", ["1", "true", "TRUE", " yes ", "on"])
def test_it_reads_clear_words_for_true(monkeypatch, word):
    monkeypatch.setenv(NAME, word)
    assert env_bool(NAME) is True


@pytest.mark.parametrize("word", ["0", "false", "False", "no", "off", ""])
def test_it_reads_clear_words_for_false(monkeypatch, word):
    monkeypatch.setenv(NAME, word)
    assert env_bool(NAME, default=True) is False


def test_it_uses_the_default_when_a_switch_is_unset(monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    assert env_bool(NAME, default=True) is True


@pytest.mark.parametrize("word", ["maybe", "ture", "2", "y"])
def test_it_refuses_a_switch_that_is_neither_true_nor_false(monkeypatch, word):
    monkeypatch.setenv(NAME, word)
    with pytest.raises(ImproperlyConfigured) as error:
        env_bool(NAME)
    assert str(error.value) == f"{NAME} must be true or false, not {word!r}."


def test_it_reads_a_whole_number(monkeypatch):
    monkeypatch.setenv(NAME, "42")
    assert env_int(NAME, 5, minimum=1) == 42


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_it_uses_the_default_number_when_unset_or_blank(monkeypatch, raw):
    if raw is None:
        monkeypatch.delenv(NAME, raising=False)
    else:
        monkeypatch.setenv(NAME, raw)
    assert env_int(NAME, 5) == 5


@pytest.mark.parametrize("raw", ["abc", "1.5", "ten"])
def test_it_refuses_a_number_that_is_not_whole(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)
    with pytest.raises(ImproperlyConfigured, match=f"^{NAME} must be a whole number, not '{raw}'.$"):
        env_int(NAME, 5)


def test_it_refuses_a_number_below_the_minimum(monkeypatch):
    monkeypatch.setenv(NAME, "0")
    with pytest.raises(ImproperlyConfigured, match=f"^{NAME} must be at least 1, not 0.$"):
        env_int(NAME, 5, minimum=1)


def test_it_accepts_the_minimum_itself(monkeypatch):
    monkeypatch.setenv(NAME, "1")
    assert env_int(NAME, 5, minimum=1) == 1


def test_it_refuses_a_decimal_that_is_not_a_number_or_too_small(monkeypatch):
    monkeypatch.setenv(NAME, "soon")
    with pytest.raises(ImproperlyConfigured, match="must be a number, not 'soon'"):
        env_float(NAME, 1.0)
    monkeypatch.setenv(NAME, "0.01")
    with pytest.raises(ImproperlyConfigured, match="must be at least 0.1, not 0.01"):
        env_float(NAME, 1.0, minimum=0.1)


def test_it_reads_a_list_dropping_blanks(monkeypatch):
    monkeypatch.setenv(NAME, " a.example.com, ,b.example.com,")
    assert env_list(NAME) == ["a.example.com", "b.example.com"]


def test_it_reads_addresses_and_networks(monkeypatch):
    monkeypatch.setenv(NAME, "10.0.0.5, 10.1.0.0/16,::1")
    assert env_networks(NAME) == ["10.0.0.5", "10.1.0.0/16", "::1"]


@pytest.mark.parametrize("raw", ["proxy.internal", "10.0.0.0/33", "10.0.0.256"])
def test_it_refuses_what_is_not_an_address_or_network(monkeypatch, raw):
    monkeypatch.setenv(NAME, f"127.0.0.1,{raw}")
    with pytest.raises(ImproperlyConfigured, match=f"must list IP addresses or networks .* not '{raw}'"):
        env_networks(NAME)


def test_it_reads_text_or_the_default(monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    assert env_str(NAME, "fallback") == "fallback"


def load_settings(**env: str) -> subprocess.CompletedProcess:
    """Import the real settings in a fresh process with only these variables set for the app."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HITPAW_", "ENHANCER_", "DJANGO_"))}
    clean.update(env, DJANGO_SETTINGS_MODULE="hitpaw_site.settings")
    code = "from django.conf import settings; print(settings.SANDBOX_MODE, settings.HITPAW_BASE_URL)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_it_runs_in_sandbox_mode_without_a_key():
    assert load_settings(HITPAW_API_KEY="").stdout.split()[0] == "True"


def test_it_uses_the_real_api_once_a_key_is_set():
    done = load_settings(HITPAW_API_KEY="k", HITPAW_BASE_URL="http://127.0.0.1:9/")
    assert done.stdout.split() == ["False", "http://127.0.0.1:9"]


def test_it_stops_at_start_with_a_clear_message_for_a_mistyped_setting():
    done = load_settings(ENHANCER_ALLOW_PRIVATE_URLS="maybe")
    assert done.returncode != 0
    assert "ENHANCER_ALLOW_PRIVATE_URLS must be true or false, not 'maybe'." in done.stderr
