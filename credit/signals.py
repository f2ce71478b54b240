"""What the credit system announces."""

from core.outbox import DurableSignal

# Something an agency's credit score is made from changed — a rating counted or set aside, a
# violation recorded, appealed or repaired, a blacklist entry, an inspection, a contract
# finished. Send it on commit with agency_id; the score is recomputed in the background
# (credit/score_receivers.py).
credit_inputs_changed = DurableSignal("credit.credit_inputs_changed")
