FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app:/app/site \
    DJANGO_SETTINGS_MODULE=config.settings.production

RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 sunshine
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY --chown=sunshine:sunshine . .
# collectstatic needs a key to import production settings; it is not used at run time.
RUN DJANGO_SECRET_KEY=collectstatic-only FIELD_ENCRYPTION_KEY=Y29sbGVjdHN0YXRpYy1vbmx5LWtleS0wMDAwMDAwMDA= \
    python manage.py collectstatic --no-input \
    && mkdir -p var/media var/private && chown -R sunshine:sunshine var

USER sunshine
EXPOSE 8000
# gunicorn with one Uvicorn worker per core (WEB_CONCURRENCY); no access log (site/config/gunicorn.conf.py).
CMD ["gunicorn", "-c", "site/config/gunicorn.conf.py"]
