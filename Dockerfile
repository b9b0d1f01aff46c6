# Uppsikt's application image: web (gunicorn + WhiteNoise), Celery worker and beat.
# Built by docker-compose.yml; see the README's "Production with docker-compose".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/app/staticfiles \
    UPLOAD_ROOT=/data/uploads

# WeasyPrint (PDF reports) needs Pango; DejaVu gives it fonts with Swedish letters.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system uppsikt \
    && useradd --system --gid uppsikt --home-dir /app --no-create-home --shell /usr/sbin/nologin uppsikt \
    && mkdir -p /data/uploads \
    && chown uppsikt:uppsikt /data/uploads

WORKDIR /app

# Dependencies first, in their own layer, so that a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-deps -e . \
    && DEBUG=false SECRET_KEY=collectstatic-only-not-used-at-run-time ALLOWED_HOSTS=localhost \
       python manage.py collectstatic --noinput \
    && rm -rf /app/var

USER uppsikt
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "60"]
