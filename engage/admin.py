from engage import rules_admin  # noqa: F401  (registers the invitation models)
