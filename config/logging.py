"""Structured logging: every record — ours, Django's, Celery's — goes through structlog's
formatter, so a line carries the request id that django-structlog binds for each request."""

from typing import Any

import structlog

_SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(*, json_output: bool, level: str) -> dict[str, Any]:
    """Configure structlog and return the matching Django LOGGING dict."""
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json_output
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            *_SHARED_PROCESSORS,
            structlog.stdlib.filter_by_level,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    renderer,
                ],
                "foreign_pre_chain": _SHARED_PROCESSORS,
            },
        },
        "filters": {
            # Last line of defence for sealed quotes: amounts and sealed tokens never reach a
            # log line, whoever logs them (market/sealing.py).
            "redact_sealed": {"()": "market.sealing.RedactSealedFilter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "structured",
                "filters": ["redact_sealed"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # django-structlog logs each request itself, with its id; Django's own
            # per-request lines would only repeat it without the id.
            "django.server": {"level": "WARNING"},
            "django.request": {"level": "ERROR"},
            # Start-up banners and one line per search-index update drown the useful lines.
            "axes": {"level": "WARNING"},
            "django_tasks": {"level": "WARNING"},
        },
    }
