"""Wagtail hooks of the credit system's complaints, registered when credit/wagtail_hooks.py
imports this module."""
