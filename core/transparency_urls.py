from django.urls import path

from core import transparency_views as views

app_name = "transparency"
urlpatterns = [
    path("", views.transparency_index, name="index"),
    path("checkpoint.json", views.checkpoint_json, name="checkpoint"),
    path("entries/<int:index>.json", views.entry_json, name="entry"),
    path("consistency.json", views.consistency_json, name="consistency"),
]
