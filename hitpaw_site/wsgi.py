"""WSGI entry point: `gunicorn hitpaw_site.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitpaw_site.settings")
application = get_wsgi_application()
