"""The kernel every service stands on: settings, database, bus, outbox/inbox, gRPC serving, plugins.

No domain logic lives here.
"""
