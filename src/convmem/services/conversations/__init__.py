"""Conversations v2 use cases, one module per resource (configurations, conversations,
participants, communications, actions, operations), the lifecycle timers, the participants'
Memory profiles, and the extraction job that turns conversations into memory. Each public
function taking a ``Database`` is one transaction; the ones taking a ``Connection`` run in the
caller's."""
