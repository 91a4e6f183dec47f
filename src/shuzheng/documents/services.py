"""All writes: typed keyword-only <entity>_<verb> functions, audited in one transaction."""
