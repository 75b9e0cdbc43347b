"""Entry point: `flask --app app run`, `gunicorn app:app`, `waitress-serve app:app`."""

from organizer import create_app

app = create_app()
