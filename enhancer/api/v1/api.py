"""The JSON API itself: its token check, its plain errors, and its families of endpoints."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from enhancer.api.tokens import person_for_token
from enhancer.api.v1 import coins, photos, shares

MSG_NO_TOKEN = (
    "Send a working personal token: `Authorization: Bearer edk_…` (make one on the API tokens page)."
)
MSG_BAD_INPUT = "Some of what was sent is not valid"


class PersonalToken(HttpBearer):
    """`Authorization: Bearer <token>`: the call acts as the token's person, with their role."""

    def authenticate(self, request: HttpRequest, token: str):
        person = person_for_token(token)
        if person is not None:
            request.user = person  # the pages' rules read `request.user`; so do ours
        return person


api = NinjaAPI(
    title="Enhance Desk JSON API",
    version="1",
    description=(
        "Photos, batches, share links and coin usage of the team's Enhance Desk, as the person "
        "whose personal token is sent (`Authorization: Bearer edk_…`), with that person's role."
    ),
    auth=PersonalToken(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/photos", photos.router)
api.add_router("/batches", photos.batches)
api.add_router("/shares", shares.router)
api.add_router("/coins", coins.router)


@api.exception_handler(AuthenticationError)
def no_working_token(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(request, {"detail": MSG_NO_TOKEN}, status=401)


@api.exception_handler(ValidationError)
def bad_input(request: HttpRequest, exc: ValidationError):
    """422 with one plain sentence (`detail`), and each field's problem (`errors`) for programs."""
    problems = [
        f"{'.'.join(str(part) for part in error.get('loc', ())[1:]) or 'body'}: {error.get('msg', '')}"
        for error in exc.errors
    ]
    detail = f"{MSG_BAD_INPUT}: {'; '.join(problems)}." if problems else f"{MSG_BAD_INPUT}."
    return api.create_response(request, {"detail": detail, "errors": exc.errors}, status=422)
