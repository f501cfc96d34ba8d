"""The submit form (fields named after the API's parameters) and the job lists' filters; errors speak plainly."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, time, timedelta
from typing import cast
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q
from django.utils import timezone

from enhancer.models import ACTIVE_STATUSES, EnhanceModel, JobStatus
from enhancer.models.jobs import PROBLEM_STATUSES, Job
from enhancer.net.addresses import obviously_local

_url_validator = URLValidator(schemes=["http", "https"])
CATALOGUE = {"enabled": True}  # the models a person may pick
# What a job can keep; a longer link would pass the validator (2048) and break the save on PostgreSQL.
MAX_LINK_LENGTH = cast(int, Job._meta.get_field("img_url").max_length)  # a URLField always has one


class ModelChoiceField(forms.ModelChoiceField):
    """Show each model by its display name and what it is good for, never the raw API value alone."""

    loaded: dict[str, EnhanceModel] | None = None  # the choices already read for the page, by name

    def label_from_instance(self, obj: EnhanceModel) -> str:
        return f"{obj} — {obj.good_for}" if obj.good_for else str(obj)

    def to_python(self, value):
        """Pick from the models the form has read already: one query fewer than asking again."""
        if self.loaded is None:
            return super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return self.loaded[str(value)]
        except KeyError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None


# What a model is for, as staff think of it. Derived from the catalogue's own facts, so a model an
# admin adds lands in a sensible group without a code change.
PURPOSES = [
    "Everyday photos and products",
    "Faces and portraits",
    "Clean up, same size",
    "Badly damaged photos (AI redraws detail)",
]


def purpose_of(model: EnhanceModel) -> str:
    if model.kind == EnhanceModel.Kind.GENERATIVE:
        return PURPOSES[3]
    if model.scale == 1:
        return PURPOSES[2]
    if model.name.startswith("face"):
        return PURPOSES[1]
    return PURPOSES[0]


def grouped_models(models) -> list[tuple[str, list[EnhanceModel]]]:
    """Models under the purpose they serve, in the catalogue's order; empty groups left out."""
    groups: dict[str, list[EnhanceModel]] = {purpose: [] for purpose in PURPOSES}
    for model in models:
        groups[purpose_of(model)].append(model)
    return [(purpose, members) for purpose, members in groups.items() if members]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """One or many files; the picture checks happen in intake, against the chosen model's limits."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={
                    "accept": "image/jpeg,image/png,image/webp,image/bmp,image/tiff,"
                    "image/heic,image/heif,.heic,.heif"
                }
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleImageField, self).clean(file, initial) for file in files]


class SubmitForm(forms.Form):
    skipped: list[str]  # why each bad line was left out of a batch, in plain words
    img_url = forms.CharField(
        label="Image link(s)",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "https://example.com/photo.jpg"}),
        help_text="Paste a link to a photo. For several photos, put one link per line.",
        required=False,
    )
    photos = MultipleImageField(label="Or upload photos from your computer", required=False)
    model_name = ModelChoiceField(
        label="Model",
        queryset=EnhanceModel.objects.filter(**CATALOGUE),
        to_field_name="name",
        empty_label=None,
        error_messages={"invalid_choice": "Pick one of the models in the list."},
    )
    exif = forms.BooleanField(label="Keep the photo's camera details (EXIF)", required=False)
    # Made when the form is shown; the same form sent twice lands on the first send's page.
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    # Enhance again of an uploaded photo: its number, so the copy we keep is used (no link to paste).
    again = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    dpi = forms.IntegerField(
        label="DPI (optional)",
        required=False,
        min_value=72,
        max_value=1200,
        help_text="Print resolution stored in the result. Leave empty to keep the default.",
        error_messages={
            "min_value": "DPI must be between 72 and 1200.",
            "max_value": "DPI must be between 72 and 1200.",
            "invalid": "DPI must be a whole number, like 300.",
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        most = settings.ENHANCER_MAX_LINKS_PER_SUBMIT
        self.fields["img_url"].help_text += f" Up to {most} links at once make one batch."
        field = cast(ModelChoiceField, self.fields["model_name"])  # a copy of `model_name` above
        self.models = list(EnhanceModel.objects.filter(**CATALOGUE))  # what the field offers, read once
        field.loaded = {model.name: model for model in self.models}
        # Shown grouped by purpose; still validated against the queryset.
        field.choices = [
            (purpose, [(m.name, field.label_from_instance(m)) for m in members])
            for purpose, members in grouped_models(self.models)
        ]

    def clean_img_url(self) -> list[str]:
        """The good links, in order, once each. Bad lines are set aside in `skipped` with the reason.

        A batch with one mistyped line still goes out; the page lists what was left out. Only when
        no line is a usable link is the form refused.
        """
        self.skipped = []
        lines = [
            _with_scheme(line.strip()) for line in self.cleaned_data["img_url"].splitlines() if line.strip()
        ]
        if not lines:
            return []  # fine if photos were uploaded instead: `clean` decides
        most = settings.ENHANCER_MAX_LINKS_PER_SUBMIT
        if len(lines) > most:
            raise ValidationError(
                f"Please paste at most {most} links at once (you pasted {len(lines)}). "
                f"Remove {len(lines) - most}, or send them in a second batch.",
                code="too_many",
            )
        good: list[str] = []
        for line in lines:
            problem = _link_problem(line)
            if problem:
                self.skipped.append(problem)
            elif line in good:
                self.skipped.append(f"“{line[:80]}” is in the list twice; it is sent once.")
            else:
                good.append(line)
        if not good:
            raise ValidationError(" ".join(dict.fromkeys(self.skipped)), code="invalid_link")
        return good

    def clean_submission_token(self) -> str:
        """The form's token, or "" for anything we did not make (no duplicate check then)."""
        token = self.cleaned_data["submission_token"]
        return token if _TOKEN.fullmatch(token) else ""

    def clean_photos(self) -> list:
        photos = self.cleaned_data.get("photos") or []
        most = settings.ENHANCER_MAX_PHOTOS_PER_SUBMIT
        if len(photos) > most:
            raise ValidationError(
                f"Please send at most {most} photos at once (you chose {len(photos)}).", code="too_many"
            )
        return photos

    def clean(self):
        data = super().clean()
        links, photos = data.get("img_url"), data.get("photos")
        if "img_url" in data and "photos" in data:
            if not links and not photos and not data.get("again"):
                self.add_error("img_url", ValidationError(MSG_NOTHING_SENT, code="required"))
            elif links and photos:
                self.add_error("photos", ValidationError(MSG_BOTH, code="both"))
        return data


_TOKEN = re.compile(r"[0-9a-f]{32}")


def new_submission_token() -> str:
    """A fresh token for one showing of the submit form."""
    return secrets.token_hex(16)


MSG_NOTHING_SENT = "Paste a link to the photo you want to enhance, or choose photos from your computer."
MSG_BOTH = "Send either links or uploaded photos, not both at once: clear the links, or the chosen files."


def _with_scheme(line: str) -> str:
    """`www.shop.com/a.jpg` is what people copy from an address bar: read it as https."""
    return f"https://{line}" if line.lower().startswith("www.") else line


def _link_problem(line: str) -> str | None:
    if len(line) > MAX_LINK_LENGTH:
        return f"“{line[:80]}…” is too long for a link ({len(line)} characters, at most {MAX_LINK_LENGTH})."
    # Judged before the validator, which calls 2130706433 or 127.1 no web link at all.
    web = line.lower().startswith(("http://", "https://"))
    if web and not settings.ENHANCER_ALLOW_PRIVATE_URLS and obviously_local(line):
        return f"“{line[:80]}” points to a private or local address. Use a public link."
    try:
        _url_validator(line)
    except ValidationError:
        return f"“{line[:80]}” is not a web link. Links start with http:// or https://."
    kind = _unsupported_kind(line)
    if kind:
        return (
            f"“{line[:80]}” is a {kind} file, which HitPaw does not take. Use a JPG, PNG, WebP, BMP or TIFF."
        )
    return None


# Kinds of file a link's name gives away that HitPaw does not take (checked again by content once
# fetched). The submit page's estimate.js keeps the same list, to say so before sending.
UNSUPPORTED_EXTENSIONS = {
    ".gif": "GIF",
    ".heic": "HEIC",
    ".heif": "HEIF",
    ".avif": "AVIF",
    ".svg": "SVG",
    ".pdf": "PDF",
    ".mp4": "video",
    ".mov": "video",
}


def _unsupported_kind(url: str) -> str | None:
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    return UNSUPPORTED_EXTENSIONS.get(path[dot:]) if dot > path.rfind("/") else None


STATUS_FILTERS = {
    "": ("Any status", None),
    "working": ("Still working", ACTIVE_STATUSES),
    "done": ("Done", (JobStatus.COMPLETED,)),
    "problems": ("Failed or stuck", PROBLEM_STATUSES),
    "canceled": ("Canceled", (JobStatus.CANCELED,)),
}


# The days a filter may name: wide enough for any real photo, far enough from the calendar's ends
# that "the day after" never overflows.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
MSG_DAY_RANGE = f"Pick a date between {FIRST_DAY:%Y} and {LAST_DAY:%Y}."


class DayField(forms.DateField):
    """A date picker's day, refused in plain words outside FIRST_DAY..LAST_DAY."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        kwargs.setdefault("error_messages", {"invalid": "Enter a date like 2024-05-31."})
        super().__init__(**kwargs)

    def validate(self, value) -> None:
        super().validate(value)
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise ValidationError(MSG_DAY_RANGE, code="out_of_range")


def whole_number(text: str, *, digits: int = 18) -> int | None:
    """`text` as a whole number if it is one written in ASCII digits (`²` and `١` are not), else None.

    Capped at `digits` digits, so it fits any database's integer column."""
    text = text.strip()
    if text.isascii() and text.isdecimal() and len(text) <= digits:
        return int(text)
    return None


class HistoryFilterForm(forms.Form):
    """The filters of a list of photos: one's own history (/jobs/) and everyone's (/team/, `team=True`,
    which adds whose photos). Every field is optional; a bad value leaves the filters out, with a plain
    message, never an error page."""

    q = forms.CharField(
        label="Search", required=False, max_length=200, widget=forms.TextInput(attrs={"type": "search"})
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[(k, label) for k, (label, _) in STATUS_FILTERS.items()]
    )
    model = forms.ModelChoiceField(
        label="Model",
        required=False,
        queryset=EnhanceModel.objects.all(),
        to_field_name="name",
        empty_label="Any model",
    )
    since = DayField(label="From")
    until = DayField(label="To")

    def __init__(self, data=None, *, team: bool = False) -> None:
        super().__init__(data)
        if team:
            self.fields["person"] = forms.ModelChoiceField(
                get_user_model().objects.order_by("username"),
                label="Person",
                required=False,
                empty_label="Anyone",
            )

    def filter(self, jobs):
        """`jobs` narrowed by whatever valid filters were given."""
        if not self.is_valid():
            return jobs
        data = self.cleaned_data
        query = data["q"].strip()
        if query:
            number = whole_number(query.lstrip("#"))
            match = Q(img_url__icontains=query) | Q(upload_name__icontains=query)
            if number is not None:
                match |= Q(pk=number)
            jobs = jobs.filter(match)
        statuses = STATUS_FILTERS.get(data["status"] or "", ("", None))[1]
        if statuses:
            jobs = jobs.filter(status__in=statuses)
        if data["model"]:
            jobs = jobs.filter(model=data["model"])
        if data.get("person"):
            jobs = jobs.filter(user=data["person"])
        if data["since"]:
            jobs = jobs.filter(created_at__gte=_start_of(data["since"]))
        if data["until"]:
            jobs = jobs.filter(created_at__lt=_start_of(data["until"] + timedelta(days=1)))
        return jobs


def _start_of(day: date) -> datetime:
    """Midnight of `day` in the team's time zone (the one every page shows)."""
    return timezone.make_aware(datetime.combine(day, time.min))
