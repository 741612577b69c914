"""The api app's named hooks (chat.hooks.Hook: receivers connected in an AppConfig.ready(),
sent after the transaction commits).

    token_revoked.send_on_commit(token=token)   # an access token stopped opening anything
"""

from chat.hooks import Hook

# fn(token=AccessToken, reason=str): the token was revoked ("token_revoked") or can no
# longer be used ("operator_deactivated"). api/sockets.py closes its open sockets.
token_revoked = Hook("token_revoked")
