"""Bank statements: reading CFONB 120, camt.053 and MT940 files, and matching their credits to
invoices (`relance import statement FILE`)."""
