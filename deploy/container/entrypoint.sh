#!/bin/sh
# The image's roles (docs/operations.md, "Container image"): the first argument picks one,
# the rest is passed on. Every setting comes from the environment.
set -eu
role="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$role" in
  web)
    # One Daphne process per container (run as many containers as cores), through the
    # runner that drains its sockets on SIGTERM (docs/operations.md, Restarting without a drop).
    exec python -m config.serve --bind "${BIND:-0.0.0.0}" --port "${PORT:-8000}" "$@" config.asgi:application
    ;;
  worker)
    exec celery -A config worker --loglevel "${CELERY_LOG_LEVEL:-info}" "$@"
    ;;
  beat)
    # With REDIS_URL the schedule and its lock live in Redis: one beat sends, however many run.
    exec celery -A config beat --loglevel "${CELERY_LOG_LEVEL:-info}" "$@"
    ;;
  migrate)
    exec python manage.py migrate --noinput "$@"
    ;;
  manage)
    exec python manage.py "$@"
    ;;
  healthcheck)
    exec python /app/deploy/container/healthcheck.py "$@"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
