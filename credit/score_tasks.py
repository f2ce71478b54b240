"""Celery tasks of the credit score (docs/credit.md): thin, ids in, one service call each."""

from celery import shared_task

from core.outbox import outbox_task
from credit.services.scoring import credit_recompute


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=3)
def credit_recompute_all() -> int:
    """Every night: every agency's score over the window ending today, so inputs that left the
    window stop counting and a blacklist entry that ended stops grading D (safe to run twice:
    an unchanged agency gets no new record)."""
    return credit_recompute().recorded


@outbox_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def credit_recompute_agencies(agency_ids: list[int]) -> int:
    """The agencies whose inputs just changed (a rating, a violation, an inspection…)."""
    return credit_recompute(agency_ids=agency_ids).recorded
