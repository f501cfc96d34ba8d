"""Request bodies are capped before anything reads them: nothing is spooled for a refused request."""

import io

import pytest

from enhancer.web.request_size import MSG_LOG_IN_FIRST

HUGE = 300 * 1024 * 1024  # the anonymous POST of issue 21


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self) -> bool:
        return True

    def read(self, size=-1):
        raise AssertionError("the body was read")

    readline = read
    readinto = read


def post_declaring(client, path: str, length: int):
    """A POST that declares `length` bytes of body but holds none: reading it would fail."""
    return client.generic(
        "POST",
        path,
        b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": Unreadable()},
    )


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/jobs/1/cancel", "/no-such-page/"])
def test_an_anonymous_large_post_is_refused_before_its_body_is_read(client, path, db):
    response = post_declaring(client, path, HUGE)
    assert response.status_code == 413
    assert response.content.decode() == MSG_LOG_IN_FIRST


def test_a_logged_in_post_over_the_upload_limit_is_refused_with_a_plain_message(alice_client, settings):
    response = post_declaring(alice_client, "/", settings.ENHANCER_MAX_REQUEST_BYTES + 1)
    assert response.status_code == 413
    assert "This upload is too large: at most" in response.content.decode()


def test_the_default_limit_takes_a_full_submit_of_photos_at_the_upload_limit(settings):
    assert settings.ENHANCER_MAX_REQUEST_BYTES > 20 * settings.ENHANCER_MAX_IMAGE_BYTES
    assert settings.ENHANCER_MAX_ANONYMOUS_REQUEST_BYTES <= 1024 * 1024


def test_a_login_form_still_gets_through(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "alice-password-1"})
    assert response.status_code == 302


def test_a_logged_in_upload_under_the_limit_reaches_the_form(alice_client, catalogue):
    response = alice_client.post("/", {"img_url": "", "model_name": "general_2x"})
    assert response.status_code != 413
