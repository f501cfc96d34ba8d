"""HitPaw's own published SDK, unchanged, against the desk: a live app (web, cluster, ticker) whose
HitPaw is the fake server. The README's SDK example is what runs."""

import subprocess
import sys
import urllib.request

import pytest

from tests.support import hitpaw_sdk
from tests.support.live_app import PROJECT_DIR, LiveApp

pytestmark = pytest.mark.cluster

README_MARKER = "<!-- hitpaw-sdk-example:"


class LiveAppOnFakeHitPaw(LiveApp):
    """The live app with the fake HitPaw server as its vendor (not the sandbox)."""

    def __init__(self, workdir, fake_url: str) -> None:
        super().__init__(workdir)
        self.fake_url = fake_url

    def env(self) -> dict[str, str]:
        return {**super().env(), "HITPAW_API_KEY": "test-key", "HITPAW_BASE_URL": self.fake_url}

    def make_token(self) -> str:
        """A personal token for the live app's staff member, made as the token page makes it."""
        code = (
            "from django.contrib.auth import get_user_model; from enhancer.api.tokens import make_token; "
            f"print(make_token(get_user_model().objects.get(username={self.username!r}), 'script')[1])"
        )
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=PROJECT_DIR,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout.strip().splitlines()[-1]


@pytest.fixture
def app(tmp_path, fake):
    live = LiveAppOnFakeHitPaw(tmp_path, fake.url).start()
    yield live
    live.stop()


def test_hitpaws_own_sdk_enhances_a_photo_through_the_desk(app, fake, monkeypatch):
    from tests.support.readme import readme_block

    token = app.make_token()
    photo = fake.image_url(64, 48, "png")
    example = (
        readme_block(README_MARKER)
        .replace("edk_your_token", token)
        .replace("https://desk.example.com", app.url)
        .replace("https://example.com/photo.jpg", photo)
        .replace('extension=".jpg"', 'extension=".png"')
    )
    monkeypatch.setitem(sys.modules, "hitpaw_sdk", hitpaw_sdk)
    names: dict = {}
    exec(compile(example, "README.md", "exec"), names)  # the README's example, as a reader runs it
    job, result = names["job"], names["result"]

    assert result["status"] == "COMPLETED", app.log_tail()
    number = int(job["job_id"].removeprefix("desk-"))
    [(status, sent_by_api, result_name, user)] = app.query(
        "SELECT j.status, j.sent_by_api, j.result, u.username FROM enhancer_job j "
        "JOIN auth_user u ON u.id = j.user_id WHERE j.id = ?",
        (number,),
    )
    assert (status, sent_by_api, user) == ("completed", 1, app.username)
    with urllib.request.urlopen(result["res_url"], timeout=10) as download:
        assert download.read() == (app.workdir / "media" / result_name).read_bytes()
    [(ledger_coins,)] = app.query("SELECT SUM(coins) FROM enhancer_coincharge WHERE job_id = ?", (number,))
    assert result["consume_coins"] == ledger_coins == job["consume_coins"] == 10
