"""engage's models; the lead merges each helper's part (the Visitors tab's: visitor_models)."""

from engage.visitor_models import InvitationClosed, Outreach

__all__ = ["InvitationClosed", "Outreach"]
