from engage.rule_models import InvitationEvent, InvitationRule  # noqa: F401
