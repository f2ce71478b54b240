"""What the roster announces once a change has committed."""

from core.outbox import DurableSignal

# A certificate is `days_left` days from expiry and its `threshold`-day notice is due; sent
# after commit with qualification_pk, threshold and days_left.
qualification_expiring = DurableSignal("agencies.qualification_expiring")

# Something that decides whether the agency may quote changed — its status, certificates (and
# so its scope), ties or people, or the staff register; sent after commit with agency_id.
agency_eligibility_changed = DurableSignal("agencies.agency_eligibility_changed")
