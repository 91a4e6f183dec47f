from shuzheng.cases.tests.conftest import _long_lived_tokens, cases, catalog  # noqa: F401
