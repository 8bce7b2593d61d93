"""Documents the portal issues as PDFs (receipts, letters, statements, certificates), in the recipient's
language, set in the project's Lao + Latin + Cyrillic font with Lao shaping on."""
