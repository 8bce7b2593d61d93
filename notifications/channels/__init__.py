"""Delivery channels.  A channel receives rendered content and an address; it never touches models."""
