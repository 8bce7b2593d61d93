"""Schemes and their parameters, declarations, the employer ledger, payments, arrears and penalties."""
