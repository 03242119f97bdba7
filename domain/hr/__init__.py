"""Human resources: employees, contracts, leave, attendance, reviews."""
