"""What we tell people and how: the outbox, delivery channels, and rendering in the recipient's language."""
