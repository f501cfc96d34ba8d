"""The JSON API's schema, run property-based (schemathesis) against a live app: every operation,
with a valid token, answers without a server error and as its schema says.

The live app is in sandbox mode and its submissions are paused, so no generated link is fetched
or sent anywhere: sending answers with the documented refusal (409), nothing else changes.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.live_app import LiveApp

pytestmark = pytest.mark.cluster  # `rundesk` starts the workers and the ticker too

TOKEN = "edk_" + secrets.token_urlsafe(32)
SEED = f"""
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from enhancer.api.tokens import hash_of
from enhancer.coins import ledger
from enhancer.jobs import pauses
from enhancer.models import ApiToken, EnhanceModel, Job, ShareLink
alice = get_user_model().objects.get(username="alice")
ApiToken.objects.create(user=alice, name="schemathesis", prefix="{TOKEN[:10]}", token_hash=hash_of("{TOKEN}"))
model = EnhanceModel.objects.get(name="general_2x")
now = timezone.now()
for status in ("completed", "failed", "queued"):
    job = Job.objects.create(user=alice, model=model, model_name=model.name, status=status,
        img_url="https://shop.example/a.jpg", deadline_at=now + timedelta(hours=1))
done = Job.objects.filter(status="completed").first()
ledger.record_charge(done, "hp-seed", 4)
done.result.save("seed-enhanced.png", ContentFile(b"a stored result"), save=True)
ShareLink.create_for(done, alice, 7)
pauses.pause("Paused for the schema run: nothing is sent.", None)
"""


@pytest.fixture(scope="module")
def live_api(tmp_path_factory) -> Iterator[LiveApp]:
    app = LiveApp(tmp_path_factory.mktemp("json-api")).start()
    try:
        app.manage("shell", "-c", SEED)
        yield app
    finally:
        app.stop()


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_every_operation_answers_as_its_schema_says(live_api):
    schema = schemathesis.openapi.from_url(f"{live_api.url}/api/v1/openapi.json", timeout=10)
    schema.validate()  # a valid OpenAPI document, as served
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    answered: dict[int, int] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def answers_as_documented(case):
            response = case.call_and_validate(
                base_url=live_api.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10, checks=CHECKS
            )
            answered[response.status_code] = answered.get(response.status_code, 0) + 1

        answers_as_documented()
    # The token worked (never a 401) and real answers were checked, not only refusals.
    assert 401 not in answered and answered.get(200, 0) > 20, answered
    print("answers by status:", answered)
