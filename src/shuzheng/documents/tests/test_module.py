"""Starter tests: the app is installed and its API router carries the module tag."""

from django.apps import apps

from shuzheng.documents.api import router


def test_app_is_installed_under_its_label():
    config = apps.get_app_config("documents")
    assert config.name == "shuzheng.documents"


def test_api_router_has_the_module_tag():
    assert router.tags == ["documents"]
