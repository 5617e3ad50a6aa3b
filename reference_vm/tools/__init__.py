"""Maintenance scripts for the reference VM (not imported by the VM itself)."""
