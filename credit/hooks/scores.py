"""Wagtail hooks of the credit system's scores, registered when credit/wagtail_hooks.py
imports this module."""
