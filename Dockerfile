FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md alembic.ini ./
COPY api ./api
COPY search ./search
COPY schemas ./schemas
COPY migrations ./migrations
RUN pip install --no-cache-dir . && useradd --system --no-create-home proxisource
USER proxisource
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-", "api:create_app()"]
