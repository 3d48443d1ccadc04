"""Making and updating a service: `sessionwise new`, `update`, the prompts and pool sizing."""
