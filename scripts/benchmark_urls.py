"""The site's URLs plus one bare page for scripts/benchmark.py: the site's layout with nothing in
it, through the same middleware and context processors as every page. Each list page is
reported as a multiple of it."""

from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def bare(request):
    return render(request, "base.html")


urlpatterns = [path("benchmark/bare/", bare), *site_urlpatterns]
