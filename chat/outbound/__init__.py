"""Outbound signed HTTP shared by the apps that post to other systems (crm's webhook
connector, webhooks' endpoints): the Standard Webhooks signature and the retry rules
(backoff with jitter, Retry-After). No models, no settings of its own: callers pass them."""
