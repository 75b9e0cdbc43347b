"""Entry point: `flask --app app run`, `gunicorn app:app`, `waitress-serve app:app`."""

from organizer import create_app, settle_startup_objects

app = create_app()
settle_startup_objects()
