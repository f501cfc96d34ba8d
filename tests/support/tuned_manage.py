"""`manage.py`, with some of the app's tuning constants shortened first: for the processes tests start.

Tuning such as the pipeline's backoff is a constant in the module that uses it, not a setting, so a
test process changes it with `monkeypatch.setattr`. A cluster the tests start as a subprocess gets
the same through `TEST_CONSTANTS`, a JSON object of `"module.NAME": value`, set here after Django is
set up and before the command runs; django-q2 forks its workers, which keep the values.
"""

from __future__ import annotations

import importlib
import json
import os
import sys

CONSTANTS_ENV = "TEST_CONSTANTS"


def shorten_constants(constants: dict[str, object]) -> None:
    for dotted, value in constants.items():
        module_name, name = dotted.rsplit(".", 1)
        module = importlib.import_module(module_name)
        if not hasattr(module, name):  # a renamed constant must fail loudly, not be ignored
            raise AttributeError(f"{module_name} has no constant {name}")
        setattr(module, name, value)


def main() -> None:
    import django
    from django.core.management import execute_from_command_line

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitpaw_site.settings")
    django.setup()
    shorten_constants(json.loads(os.environ.get(CONSTANTS_ENV) or "{}"))
    execute_from_command_line(["manage.py", *sys.argv[1:]])


if __name__ == "__main__":
    main()
