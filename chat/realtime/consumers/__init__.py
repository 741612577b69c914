"""The WebSocket consumers: frames.py (what both share), visitor.py (the widget),
operator.py (the console)."""
