"""Seed data of the schemes' date-effective parameters, each with its legal source and confidence."""
