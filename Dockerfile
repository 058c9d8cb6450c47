# syntax=docker/dockerfile:1
# The storefront image: one image, three processes (web, worker, cron: see Procfile and compose.yaml).
# Stage 1 builds the virtualenv with the pinned requirements; stage 2 copies only that and the code,
# so the runtime image has no compiler, no pip cache and runs as an unprivileged user.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install -r /tmp/requirements.txt

FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    FLASK_APP=wsgi HOST=0.0.0.0 PORT=8000 APP_ENV=production LOG_FORMAT=json
RUN groupadd --system --gid 10001 storefront \
    && useradd --system --uid 10001 --gid storefront --home-dir /app --shell /usr/sbin/nologin storefront
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# The code belongs to root and is read-only for the process; the catalogues are compiled now.
COPY app ./app
COPY blueprints ./blueprints
COPY migrations ./migrations
COPY static ./static
COPY wsgi.py gunicorn.conf.py babel.cfg Procfile ./
RUN python -c "from app.i18n import compile_catalogues; compile_catalogues()"
# instance/: gunicorn's control socket, Prometheus files, local photo storage; the only writable place.
RUN mkdir -p /app/instance && chown storefront:storefront /app/instance
USER storefront:storefront
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
