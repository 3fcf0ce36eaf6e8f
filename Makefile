# govportal — the two commands: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv/bin
MANAGE := $(VENV)/python manage.py
DEMO_PASSWORD ?= govportal-demo-2026
HOST ?= 127.0.0.1
PORT ?= 8000
# Development mode (DEBUG on). Production is DJANGO_DEBUG unset/0 and needs the variables in README.
export DJANGO_DEBUG ?= 1

.PHONY: run test lint bench worker messages env env-test

env:
	@scripts/bootstrap.sh run

env-test:
	@scripts/bootstrap.sh test

messages:
	@$(MANAGE) compilemessages --ignore=.venv --ignore=.tools -v0

# The server's address goes to the settings, so SITE_URL (QR codes, e-mail links, sandbox webhooks)
# points at it unless SITE_URL is set: `make run PORT=8100`.
run: export GOVPORTAL_RUN_HOST := $(HOST)
run: export GOVPORTAL_RUN_PORT := $(PORT)
run: env messages
	@$(MANAGE) migrate --noinput -v0
	@$(MANAGE) seed_demo --password "$(DEMO_PASSWORD)"
	@echo "Serving on http://$(HOST):$(PORT)/  (Celery tasks run in-process in this mode; Ctrl-C stops)"
	@$(MANAGE) runserver $(HOST):$(PORT) --noreload

test: env-test messages
	@$(VENV)/python -m pytest $(PYTEST_ARGS)

lint: env
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy .

# The HTTP benchmarks measure with wrk (Debian's package): installed here when missing, with apt-get as
# root or through sudo without a password, as scripts/bootstrap.sh installs system packages.
bench: env
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "==> Installing wrk (the HTTP benchmarks' load generator)"; \
	  if [ "$$(id -u)" -eq 0 ]; then as_root=; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root="sudo"; else as_root=none; fi; \
	  [ "$$as_root" != none ] \
	    && $$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
	    && $$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; \
	} || { echo "make bench needs wrk, the HTTP load generator. Install it with:  sudo apt-get install -y wrk"; exit 1; }
	$(VENV)/python bench/run.py

# Development: one worker with beat, consuming all four queues (with no -Q, a worker takes every
# declared queue). Production runs one worker per queue: docker-compose.yml, docs/OPERATIONS.md.
worker: env
	@test -n "$$CELERY_BROKER_URL$$REDIS_URL" || { echo "make worker needs CELERY_BROKER_URL (amqp://…) or REDIS_URL (the embedded mode runs tasks in-process)"; exit 1; }
	$(VENV)/celery -A govportal worker --beat --loglevel=info --concurrency=2 --schedule=var/celerybeat-schedule
