"""What the marketplace announces once a change has committed."""

from django.dispatch import Signal

# A quote stopped counting because its agency (or a consortium member) is no longer
# eligible; sent after commit with quote_id.
quote_invalidated = Signal()
