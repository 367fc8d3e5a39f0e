"""The only module-level application: what gunicorn (`wsgi:app`) and `flask --app wsgi` load."""

from webui import create_app

app = create_app()
