"""HitPaw's error codes in one table: the vendor's HTTP status and message, and ours for staff.

The client turns answers into `HitPawError`s from it, and the sandbox answers from it, so the two
can never disagree about a code.
"""

from __future__ import annotations

from typing import NamedTuple


class VendorError(NamedTuple):
    """One row of the docs' error table, with the plain message staff see."""

    http_status: int
    vendor_message: str
    plain_message: str
    transient: bool  # a later try may work


VENDOR_ERRORS: dict[int, VendorError] = {
    100400000: VendorError(
        400, "No access", "HitPaw refused access for this account. Ask an admin to check the API key.", False
    ),
    100400001: VendorError(
        400,
        "Invalid URL",
        "HitPaw could not open the image link. Check that it is a public link to an image.",
        False,
    ),
    100400002: VendorError(
        400, "Bad Request", "HitPaw did not accept the request. Try again, or ask an admin.", False
    ),
    100401000: VendorError(
        401, "Token is expired", "The HitPaw access key has expired. Ask an admin to renew it.", False
    ),
    100403000: VendorError(
        403, "Invalid request parameters", "HitPaw did not accept the settings of this request.", False
    ),
    100403001: VendorError(
        403, "Access denied", "HitPaw denied access for this account. Ask an admin to check it.", False
    ),
    100403002: VendorError(
        403,
        "You don't have permission to access this resource",
        "This HitPaw account is not allowed to do that. Ask an admin.",
        False,
    ),
    100429000: VendorError(
        429,
        "Too many requests, please try again later",
        "HitPaw is busy right now (too many requests). We will try again shortly.",
        True,
    ),
    100500000: VendorError(
        500, "Internal error", "HitPaw had an internal problem. We will try again shortly.", True
    ),
    100500001: VendorError(
        500, "Database error", "HitPaw had a database problem. We will try again shortly.", True
    ),
    100500002: VendorError(
        500, "Cache error", "HitPaw had a temporary storage problem. We will try again shortly.", True
    ),
    100500003: VendorError(
        500,
        "Failed to create file",
        "HitPaw could not create the result file. We will try again shortly.",
        True,
    ),
    100500004: VendorError(
        500,
        "Signature verification failed",
        "HitPaw could not verify the request signature. We will try again shortly.",
        True,
    ),
    100500005: VendorError(
        500,
        "Configuration error",
        "HitPaw reported a configuration problem on its side. We will try again shortly.",
        True,
    ),
    100500006: VendorError(
        500, "Unknown error", "HitPaw reported an unknown problem. We will try again shortly.", True
    ),
    100500007: VendorError(
        500, "Operation timeout", "HitPaw took too long to answer. We will try again shortly.", True
    ),
    110400000: VendorError(
        400, "api_key is not valid", "The HitPaw API key is not valid. Ask an admin to check the key.", False
    ),
    110400002: VendorError(
        400, "The task does not exist", "HitPaw no longer knows this job (the task does not exist).", False
    ),
    110400003: VendorError(
        400,
        "The task failed, please try again",
        "HitPaw could not enhance this photo. You can try again.",
        False,
    ),
    110400005: VendorError(
        400,
        "The model is not supported, please try again",
        "HitPaw does not support this model any more. Pick another model.",
        False,
    ),
    110400007: VendorError(
        400,
        "The extension is not valid",
        "HitPaw does not accept this kind of image file. Try a JPG or PNG.",
        False,
    ),
    110400008: VendorError(400, "The video URL is not valid", "HitPaw could not open the video link.", False),
    110400009: VendorError(
        400,
        "The input resolution is over limit",
        "The photo is too large for this model. Try a smaller photo.",
        False,
    ),
    110400010: VendorError(
        400,
        "The target resolution is over limit",
        "The enhanced photo would be too large. Pick a smaller scale or a smaller photo.",
        False,
    ),
    110400011: VendorError(
        400, "The video duration is over limit", "The video is too long for HitPaw.", False
    ),
    110402000: VendorError(
        402,
        "The coins are not enough",
        "The team's HitPaw coin balance has run out. Ask an admin to top up.",
        False,
    ),
    110402001: VendorError(
        402,
        "The coins are not enough",
        "The team's HitPaw coin balance has run out. Ask an admin to top up.",
        False,
    ),
    110402004: VendorError(
        402,
        "The Demo try times exceeded",
        "The HitPaw trial has no tries left. Ask an admin to buy coins.",
        False,
    ),
}
# The same table as (plain message, transient?) per code: what the client needs.
ERROR_CODES: dict[int, tuple[str, bool]] = {
    code: (row.plain_message, row.transient) for code, row in VENDOR_ERRORS.items()
}
# Codes that concern the whole account, not one photo (bad, expired or refused key; no coins):
# new submissions pause, and jobs already at HitPaw wait instead of failing.
ACCOUNT_CODES = frozenset(
    {100400000, 100401000, 100403001, 100403002, 110400000, 110402000, 110402001, 110402004}
)
CODE_OPERATION_TIMEOUT = 100500007
CODE_TASK_MISSING = 110400002
CODE_RATE_LIMITED = 100429000


class HitPawError(Exception):
    """A failed HitPaw call, with a message fit for staff."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        http_status: int | None = None,
        transient: bool = False,
        outcome_unknown: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status
        self.transient = transient
        self.outcome_unknown = outcome_unknown
        self.retry_after = retry_after

    @property
    def account_problem(self) -> bool:
        """True when the error is about the whole account (bad key, no coins)."""
        return self.code in ACCOUNT_CODES


def error_for_code(code: int, http_status: int | None = None, vendor_message: str = "") -> HitPawError:
    """Map a vendor error code to a typed error; 429 and 5xx are transient, 4xx final."""
    if code in ERROR_CODES:
        message, transient = ERROR_CODES[code]
    else:
        transient = http_status is not None and (http_status == 429 or http_status >= 500)
        message = "HitPaw reported a problem" + (f": {vendor_message}" if vendor_message else ".")
    return HitPawError(message, code=code, http_status=http_status, transient=transient)
