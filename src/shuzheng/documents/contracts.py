"""Plain dataclasses the facade hands to other modules (never ORM rows)."""
