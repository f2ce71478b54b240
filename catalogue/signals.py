"""What the catalogue tells the layers above it. The catalogue never imports the roster or the
marketplace; they connect here in their own `AppConfig.ready()`."""

from django.dispatch import Signal

# An item entered or left the catalogue, or its department or required qualifications
# changed: who may serve it must be worked out again. Sent inside the transaction that made
# the change (the receivers' writes commit or roll back with it), with `service_item`.
service_item_requirements_changed = Signal()
