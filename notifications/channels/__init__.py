"""Delivery channels.  A channel receives rendered content and an address; it never touches models."""


class UndeliverableError(ValueError):
    """A channel refuses the message itself (too long, no address): unlike a passing failure of the server or
    the network, retrying cannot help, so the outbox marks the message failed at once."""
