"""Shared core: models, errors, project discovery, checkpoint store, redaction, timestamps."""
