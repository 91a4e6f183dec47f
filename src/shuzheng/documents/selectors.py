"""All reads, always scoped to the caller's rights (an identity Principal)."""
