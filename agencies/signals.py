"""What the roster announces once a change has committed."""

from django.dispatch import Signal

# A certificate is `days_left` days from expiry and its `threshold`-day notice is due; sent
# after commit with qualification_pk, threshold and days_left.
qualification_expiring = Signal()
