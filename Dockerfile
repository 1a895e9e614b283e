FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation \
      postgresql-client curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY sencoweb ./sencoweb
COPY pupils ./pupils
COPY provision ./provision
COPY reviews ./reviews
COPY reports ./reports
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only DEBUG=false python manage.py collectstatic --noinput
RUN useradd --create-home --uid 1000 sencoweb && mkdir -p /data/media && chown -R sencoweb /data
USER sencoweb
ENV MEDIA_ROOT=/data/media
EXPOSE 8000
CMD ["gunicorn", "sencoweb.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
