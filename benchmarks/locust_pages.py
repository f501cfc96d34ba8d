"""Locust users for benchmarks/bench_pages.py: logged-in people opening the app's pages.

Each simulated user is one of the seeded people (round robin), logged in by the session the seeding
made, and keeps opening a random page among those that person would see: a job of theirs, the
history (first page and a search), their batch and its live status, the usage page (this month and
the last 90 days) and, for the admin, the System page. Between pages it waits `BENCH_THINK` seconds
on average (0: no wait at all), and before its first page a random part of that wait, so the
users' clicks are spread out from the start as a team's are. The plan (people, sessions, each one's
pages and jobs) is the JSON file named by `BENCH_PAGES_PLAN`, written by bench_pages.py.
"""

from __future__ import annotations

import itertools
import json
import os
import random

import gevent
from locust import between, constant, task
from locust.contrib.fasthttp import FastHttpUser

PLAN = json.loads(open(os.environ["BENCH_PAGES_PLAN"]).read())  # noqa: SIM115 - read once at import
THINK = float(os.environ.get("BENCH_THINK", "1"))
# A reverse proxy in front of gunicorn (nginx by default) opens a connection per request; a browser
# talking to gunicorn itself keeps its connection, and stays with one gunicorn worker.
KEEP_ALIVE = os.environ.get("BENCH_KEEP_ALIVE", "0") == "1"
_people = itertools.cycle(PLAN["people"])


class Person(FastHttpUser):
    wait_time = between(THINK * 0.5, THINK * 1.5) if THINK else constant(0)

    def on_start(self) -> None:
        self.person = next(_people)
        self.pages = self.person["pages"]
        self.cookie = {"Cookie": f"sessionid={self.person['session']}"}
        if not KEEP_ALIVE:
            self.cookie["Connection"] = "close"
        # Locust starts every user at once, each with a page: without this the measured run began with
        # 20 requests in the same millisecond, a burst people never make.
        gevent.sleep(random.uniform(0, THINK))

    @task
    def open_a_page(self) -> None:
        name, url = random.choice(self.pages)
        url = url.replace("{job}", str(random.choice(self.person["jobs"])))
        with self.client.get(
            url, name=name, headers=self.cookie, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{url} answered {response.status_code}")
