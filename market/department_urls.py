from django.urls import path

from market import department_views

app_name = "department"

# Mounted at /my/classifications/.
urlpatterns: list = [
    path("", department_views.classification_list, name="classifications"),
    path("<int:pk>/", department_views.classification_decide, name="classification_decide"),
]
