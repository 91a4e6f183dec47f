"""Browser tests (Playwright driving Debian's chromium); run with ``pytest -m browser``."""
