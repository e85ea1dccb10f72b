"""Example CRM plugin package."""
