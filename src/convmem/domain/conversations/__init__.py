"""Conversations v2: the pure rules (lifecycle, participants and their profiles, configurations,
validation) and the typed commands and results of its use cases (services/conversations/)."""
