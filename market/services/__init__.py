"""Writes to the marketplace: projects, purchase requests, quotes and selection."""
