"""The request a view behind `login_required` gets: its `user` is a person, never AnonymousUser.

Only for type checking (the way django-stubs suggests): such views annotate their request with
`SignedInRequest`, so `request.user` is a `User` without testing `is_authenticated` again.
"""

from django.contrib.auth.models import User
from django.http import HttpRequest


class SignedInRequest(HttpRequest):
    user: User
