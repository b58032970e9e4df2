# Hanoi super-app backend: API, pages and workers (`superapp serve`).
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SUPERAPP_DATA_DIR=/var/lib/superapp

WORKDIR /app
RUN groupadd --system superapp && useradd --system --gid superapp --home /app superapp \
    && mkdir -p /var/lib/superapp && chown superapp:superapp /var/lib/superapp

COPY pyproject.toml README.md alembic.ini ./
COPY alembic ./alembic
COPY superapp ./superapp
COPY auth ./auth
COPY miniapps ./miniapps
COPY feedback ./feedback
COPY notifications ./notifications
RUN pip install -e . && python -c "import superapp.app"

USER superapp
EXPOSE 8000
VOLUME ["/var/lib/superapp"]
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status==200 else 1)"
CMD ["superapp", "serve", "--host", "0.0.0.0", "--port", "8000"]
