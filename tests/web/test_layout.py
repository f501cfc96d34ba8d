"""The frame around every page: a favicon, a top bar that folds into a menu on a phone."""

from django.contrib.staticfiles import finders


def test_it_links_a_favicon_that_exists(alice_client):
    page = alice_client.get("/jobs/").content.decode()
    assert '<link rel="icon" href="/static/enhancer/favicon.svg"' in page
    assert finders.find("enhancer/favicon.svg")


def test_it_offers_a_menu_button_that_controls_the_top_bar_links(alice_client):
    page = alice_client.get("/jobs/").content.decode()
    assert 'aria-controls="site-nav"' in page and 'aria-expanded="false"' in page
    assert '<nav id="site-nav" aria-label="Main">' in page


def test_it_shows_no_menu_to_a_visitor_who_is_not_logged_in(client, db):
    assert "site-nav" not in client.get("/accounts/login/").content.decode()
