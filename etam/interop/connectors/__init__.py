"""Connectors to national systems, each behind an interface with a fake server in the repo
(ADR 0153 for Dukcapil). They call out through ``etam.core.outbound`` (ADR 0151)."""
