"""Date-effective scheme parameters, declarations, the employer ledger, payments, arrears and penalties."""
