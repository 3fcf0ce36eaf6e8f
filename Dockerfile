# syntax=docker/dockerfile:1
#
# govportal image: one image for web (gunicorn), the workers and beat (celery) and migrate.
#   docker build -t govportal .
# See docs/OPERATIONS.md for the environment it expects at run time.

ARG PYTHON_IMAGE=python:3.13-slim-bookworm

# --- 1. Dependencies ------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS deps

# uv pinned to the version that wrote uv.lock; the venv lives outside the source tree
# so that compilemessages' directory walk never enters site-packages.
RUN pip install --no-cache-dir "uv==0.13.9"
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy

WORKDIR /app
# Only the lock files first: this layer is rebuilt only when dependencies change.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

# --- 2. Runtime -----------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# WeasyPrint (Pango/HarfBuzz), Arabic-capable fonts, gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-noto-core \
        fonts-hosny-amiri \
        gettext \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 govportal \
    && useradd --system --uid 10001 --gid govportal --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin govportal

ENV PATH="/opt/venv/bin:${PATH}" \
    VIRTUAL_ENV=/opt/venv \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=govportal.settings

COPY --from=deps /opt/venv /opt/venv

WORKDIR /app
COPY . .

# locale/ may be absent from a fresh checkout (git keeps no empty directories). The project's
# own bytecode is compiled here: at run time /app is read-only to the service user and
# PYTHONDONTWRITEBYTECODE is set, so every gunicorn, worker and command start would compile it.
RUN mkdir -p locale var/static \
    && DJANGO_DEBUG=1 python manage.py compilemessages \
    && python -m compileall -q /app

# collectstatic must run with the *production* storage (CompressedManifestStaticFilesStorage)
# so that staticfiles.json exists; in DEBUG mode no manifest is written and every
# {% static %} would fail in production. The values below are build-only placeholders so
# that settings load; nothing connects to them and they are not kept in the image.
RUN DJANGO_DEBUG=0 \
    DJANGO_SECRET_KEY=build-only-placeholder-not-a-secret-0123456789-abcdefghijklmnop \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid:5432/build \
    REDIS_URL=redis://build.invalid:6379/0 \
    CELERY_BROKER_URL=amqp://build.invalid:5672// \
    python manage.py collectstatic --noinput \
    && chown -R govportal:govportal /app/var

USER govportal

EXPOSE 8000

# curl is not in the slim image: probe /healthz with the standard library. The Host header
# is the first DJANGO_ALLOWED_HOSTS entry, because Django rejects unknown hosts with 400.
# /healthz is exempt from the HTTPS redirect. A 503 raises, so the exit code is non-zero.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os,sys,urllib.request as u; h=os.environ.get('DJANGO_ALLOWED_HOSTS','localhost').split(',')[0].strip().lstrip('.'); h='localhost' if h in ('','*') else h; r=u.urlopen(u.Request('http://127.0.0.1:8000/healthz',headers={'Host':h}),timeout=8); sys.exit(0 if r.status==200 else 1)"]

CMD ["gunicorn", "govportal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
