"""Deployment: resources merged into `chalice package` output, and the scripts that build and check it."""
