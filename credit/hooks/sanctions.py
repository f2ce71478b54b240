"""Wagtail hooks of the credit system's sanctions, registered when credit/wagtail_hooks.py
imports this module."""
