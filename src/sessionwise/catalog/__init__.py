"""Catalog entries (Backstage, JSON), the Backstage form, and validators as JSON Schema."""
