"""Share links: make one for a finished photo, list them, turn one off, by the pages' rules.

Making a link publishes a photo, so it needs the sharing role (`add_sharelink`); a person manages
the links of their own photos, admins anyone's; a link someone may not manage is a 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Status
from ninja import Schema as Input
from ninja.errors import HttpError

from enhancer.api.v1 import schemas
from enhancer.api.v1.cursor import DEFAULT_LIMIT, MOST, page
from enhancer.api.v1.photos import ERRORS, REFUSED, next_link, refusal
from enhancer.models import ShareLink
from enhancer.models.shares import DAY_CHOICES
from enhancer.web import access, refusals
from enhancer.web.signed_in import SignedInRequest
from enhancer.web.views.shares import ShareForm, public_url

router = Router(tags=["share links"])

MSG_NOT_FINISHED = "Only a finished photo can be shared."
MSG_DAYS = f"`days` must be one of {', '.join(str(days) for days, _ in DAY_CHOICES)}."


class NewShare(schemas.NewShare):
    photo_id: int


class ShareFilters(Input):
    photo_id: int | None = Field(None, description="Only this photo's links")
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MOST)


def share_out(request: HttpRequest, share: ShareLink) -> dict:
    return {
        "id": share.pk,
        "photo_id": share.job_id,
        "url": public_url(request, reverse("share", args=[share.token])),
        "state": share.state,
        "live": share.is_live,
        "created_at": share.created_at,
        "expires_at": share.expires_at,
        "revoked_at": share.revoked_at,
        "views": share.views,
        "keep_details": share.keep_details,
    }


@router.get("", response={200: schemas.SharePage, **ERRORS}, summary="List share links, newest first")
def list_shares(request: SignedInRequest, filters: Query[ShareFilters]):
    links = ShareLink.objects.all()
    if not request.user.has_perm(access.MANAGE_SHARES):
        links = links.filter(job__user=request.user)
    if filters.photo_id is not None:
        links = links.filter(job=access.job_to_share(request.user, filters.photo_id))
    rows, after = page(links, filters.cursor, filters.limit)
    return {
        "items": [share_out(request, share) for share in rows],
        "next_cursor": after,
        "next": next_link(request, after),
    }


@router.post("", response={201: schemas.Share, **REFUSED}, summary="Make a share link for a finished photo")
def make_share(request: HttpRequest, new: NewShare):
    if not access.may_make_links(request.user):
        raise HttpError(403, refusal(request, refusals.NO_SHARE))
    job = access.job_to_share(request.user, new.photo_id)
    form = ShareForm({"days": str(new.days), "keep_details": "on" if new.keep_details else ""})
    if not form.is_valid():
        raise HttpError(422, MSG_DAYS)
    if not job.is_completed:
        raise HttpError(409, MSG_NOT_FINISHED)
    data = form.cleaned_data
    share = ShareLink.create_for(job, request.user, data["days"], keep_details=data["keep_details"])
    return Status(201, share_out(request, share))


@router.post("/{share_id}/off", response={200: schemas.Share, **ERRORS}, summary="Turn a share link off")
def turn_off_share(request: HttpRequest, share_id: int):
    job_id = ShareLink.objects.filter(pk=share_id).values_list("job_id", flat=True).first()
    if job_id is None:
        raise Http404("No such share link.")
    access.share_for_user(request.user, job_id, share_id).revoke()
    return share_out(request, ShareLink.objects.get(pk=share_id))
