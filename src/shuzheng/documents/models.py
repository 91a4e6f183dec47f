"""Tables this module owns; other modules never import them (they use facade.py)."""
