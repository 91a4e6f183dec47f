"""The public face: with contracts.py, the only module other modules may import."""

__all__: list[str] = []
