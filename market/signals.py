"""What the marketplace announces once a change has committed."""

from core.outbox import DurableSignal

# A quote stopped counting because its agency (or a consortium member) is no longer
# eligible; sent after commit with quote_id.
quote_invalidated = DurableSignal("market.quote_invalidated")

# A selected agency's award was declined — by the agency, or set aside after an upheld
# objection (`AwardDecline.by_objection`); sent after commit with decline_id. The credit system
# records a violation for the first kind.
award_declined = DurableSignal("market.award_declined")
