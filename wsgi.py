"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
from app import create_app
from app.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # Stop start-up with the reason, not a traceback.
    raise SystemExit(str(exc)) from None
