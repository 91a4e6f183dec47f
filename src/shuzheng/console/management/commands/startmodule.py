"""``shuzheng startmodule <name> --layer L2``: a new module in the one shape
(docs/style.md, habit 1).

Creates ``src/shuzheng/<name>/`` with every file of the module shape, each opening with a
one-line docstring saying what belongs there, and a starter test that fails until the app is
installed. Files are written into a hidden temporary folder first and moved into place in one
rename, so a refused or failed run leaves nothing behind. The steps that edit shared files
(INSTALLED_APPS, the import-linter layers, the API router) are printed, not done.
"""

from __future__ import annotations

import keyword
import re
import secrets
import shutil
from pathlib import Path
from string import Template
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_NAME_LENGTH = 30
MAX_TITLE_LENGTH = 16
# Folder names that already mean something inside a module or the package.
RESERVED = frozenset(
    {"locale", "management", "migrations", "static", "templates", "templatetags", "tests"}
)
LAYERS = ("L1", "L2", "L3")
LAYER_NAMES = {
    "L1": "foundation 基础支撑",
    "L2": "services 公共服务",
    "L3": "applications 业务应用",
}

# path inside the module -> file text ($name, $layer, $class_name, $verbose, $tag substituted).
# Lines stay under 100 columns for the longest name and title allowed.
FILES: dict[str, str] = {
    "__init__.py": '"""$name ($layer): see README.md for what this module owns."""\n',
    "apps.py": '''\
"""Django app configuration (app label "$name")."""

from django.apps import AppConfig


class $class_name(AppConfig):
    name = "shuzheng.$name"
    label = "$name"
    verbose_name = "$verbose"
''',
    "README.md": """\
# $name ($layer)

Owns: TODO — one paragraph saying which data and which rules this module is responsible for,
and which other modules it talks to (through their `facade`).

Shape (docs/ARCHITECTURE.md): `models.py` tables · `services.py` all writes, audited in the same
transaction · `selectors.py` all reads, scoped to the caller · `facade.py` + `contracts.py` the
only imports other modules may use · `api.py` django-ninja router · `views.py` + `urls.py` +
`templates/$name/` pages · `tasks.py` background work · `tests/`.
""",
    "models.py": (
        '"""Tables this module owns; other modules never import them (they use facade.py)."""\n'
    ),
    "services.py": (
        '"""All writes: typed keyword-only <entity>_<verb> functions, audited in one'
        ' transaction."""\n'
    ),
    "selectors.py": (
        '"""All reads, always scoped to the caller\'s rights (an identity Principal)."""\n'
    ),
    "facade.py": '''\
"""The public face: with contracts.py, the only module other modules may import."""

__all__: list[str] = []
''',
    "contracts.py": '"""Plain dataclasses the facade hands to other modules (never ORM rows)."""\n',
    "api.py": '''\
"""JSON API: a django-ninja router, mounted in shuzheng/api/router.py."""

from ninja import Router

router = Router(tags=["$tag"])
''',
    "views.py": (
        '"""Pages and htmx partials: parse input, call one service or selector, render."""\n'
    ),
    "urls.py": '''\
"""URL patterns of this module's pages (include them from shuzheng/urls.py)."""

from django.urls import URLPattern, URLResolver

app_name = "$name"

urlpatterns: list[URLPattern | URLResolver] = []
''',
    "tasks.py": (
        '"""Background tasks (django-tasks): take ids, idempotent, enqueued with on_commit."""\n'
    ),
    "templates/$name/.gitkeep": (
        "Templates of $name: pages extend base.html; htmx partials start with _.\n"
    ),
    "migrations/__init__.py": '"""Database migrations (shuzheng makemigrations $name)."""\n',
    "tests/__init__.py": '"""Tests of this module, mirroring its files."""\n',
    "tests/test_module.py": '''\
"""Starter tests: the app is installed and its API router carries the module tag."""

from django.apps import apps

from shuzheng.$name.api import router


def test_app_is_installed_under_its_label():
    config = apps.get_app_config("$name")
    assert config.name == "shuzheng.$name"


def test_api_router_has_the_module_tag():
    assert router.tags == ["$tag"]
''',
}


def _refuse(chinese: str, english: str) -> CommandError:
    return CommandError(f"{chinese} / {english}")


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_") if part) + "Config"


def validate_name(name: str, target: Path) -> None:
    """Raise ``CommandError`` (Chinese / English) unless ``name`` can be a new module here."""
    if (
        not NAME_RE.match(name)
        or not name.isidentifier()
        or keyword.iskeyword(name)
        or len(name) > MAX_NAME_LENGTH
        or name.endswith("_")
        or "__" in name
    ):
        raise _refuse(
            f"模块名“{name}”无效：应为以小写字母开头的 Python 标识符"
            f"（小写字母、数字、单个下划线，不超过{MAX_NAME_LENGTH}个字符，不能是关键字）。",
            f"invalid module name {name!r}: use a lowercase Python identifier "
            f"(a-z, 0-9, single underscores, at most {MAX_NAME_LENGTH} characters, "
            "not a keyword).",
        )
    if name in RESERVED:
        raise _refuse(
            f"模块名“{name}”是保留名称。",
            f"module name {name!r} is reserved ({', '.join(sorted(RESERVED))}).",
        )
    for existing in (target / name, target / f"{name}.py"):
        if existing.exists():
            raise _refuse(
                f"{existing} 已存在，未做任何改动。",
                f"{existing} already exists; nothing was changed.",
            )
    if name in {config.label for config in apps.get_app_configs()}:
        raise _refuse(
            f"应用标签“{name}”已被已安装的应用使用。",
            f"app label {name!r} is already used by an installed app.",
        )


def render(name: str, layer: str, title: str) -> dict[str, str]:
    """Every file of the new module: relative path -> text."""
    values = {
        "name": name,
        "layer": layer,
        "class_name": _class_name(name),
        "verbose": f"{title} ({name})" if title else name,
        "tag": f"{name} {title}" if title else name,
    }
    return {
        Template(path).substitute(values): Template(text).substitute(values)
        for path, text in FILES.items()
    }


def next_steps(name: str, layer: str) -> str:
    if layer == "L1":
        layer_step = (
            f'   append " : shuzheng.{name}" to the L1 line\n'
            '   "shuzheng.identity : shuzheng.audit : shuzheng.files"'
        )
    else:
        below = "the L4 line (and any L3 line)" if layer == "L2" else "the L4 line"
        layer_step = (
            f'   add "shuzheng.{name}" to the {layer} line; if there is none yet, insert one\n'
            f'   below {below} and above the L1 line; join {layer} siblings with " : "'
        )
    return f"""
Next steps (edit shared files by hand) / 接下来请手动完成：
1. src/shuzheng/settings.py: add "shuzheng.{name}" to INSTALLED_APPS under "# {layer}".
2. pyproject.toml, [[tool.importlinter.contracts]] "Layers of ARCHITECTURE.md §3":
{layer_step}
   and add a protected contract so other modules reach it only through facade/contracts:
   [[tool.importlinter.contracts]]
   name = "{name} is used by other modules only through its facade and contracts"
   type = "protected"
   protected_modules = ["shuzheng.{name}.models", "shuzheng.{name}.services", \
"shuzheng.{name}.selectors"]
   allowed_importers = ["shuzheng.{name}"]
   ignore_imports = ["shuzheng.**.tests.** -> shuzheng.{name}.**"]
   unmatched_ignore_imports_alerting = "none"
3. src/shuzheng/api/router.py: from shuzheng.{name}.api import router as {name}_router
   then api.add_router("/", {name}_router); after adding endpoints run
   `shuzheng export_openapi` and commit docs/openapi.json.
4. Pages: in src/shuzheng/urls.py add path("{name}/", include("shuzheng.{name}.urls")).
5. Write README.md; `shuzheng makemigrations {name}` once models.py has models; `make test`.
"""


class Command(BaseCommand):
    help = (
        "Create a new module (Django app) in the one module shape: "
        "shuzheng startmodule <name> --layer {L1,L2,L3}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="module name, a lowercase identifier, e.g. licenses")
        parser.add_argument("--layer", required=True, choices=LAYERS, help="layer of the module")
        parser.add_argument(
            "--title", default="", help="Chinese name for the admin and the API tag, e.g. 电子证照"
        )
        parser.add_argument(
            "--target",
            default=str(settings.PACKAGE_DIR),
            help="folder to create the module in (default: the shuzheng package)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name: str = options["name"]
        layer: str = options["layer"]
        title: str = options["title"].strip()
        target = Path(options["target"])
        if not target.is_dir():
            raise _refuse(f"目标目录 {target} 不存在。", f"target folder {target} does not exist.")
        if len(title) > MAX_TITLE_LENGTH or any(ch in title for ch in '"\\\n\r'):
            raise _refuse(
                f"标题不能超过{MAX_TITLE_LENGTH}个字符，也不能包含引号、反斜杠或换行。",
                f"the title must be at most {MAX_TITLE_LENGTH} characters, without quotes, "
                "backslashes or line breaks.",
            )
        validate_name(name, target)
        files = render(name, layer, title)

        # A hidden sibling (same file system, so the final rename is atomic); mkdir honours the
        # umask, unlike tempfile.mkdtemp's 0700.
        staging = target / f".startmodule-{name}-{secrets.token_hex(4)}"
        staging.mkdir()
        try:
            for relative, text in files.items():
                path = staging / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            destination = target / name
            if destination.exists():  # created by someone else meanwhile
                raise _refuse(
                    f"{destination} 已存在，未做任何改动。",
                    f"{destination} already exists; nothing was changed.",
                )
            staging.rename(destination)
        finally:
            if staging.exists():
                shutil.rmtree(staging)

        self.stdout.write(
            self.style.SUCCESS(
                f"Created module {name} ({layer} {LAYER_NAMES[layer]}) in {destination}:"
            )
        )
        for relative in sorted(files):
            self.stdout.write(f"  {name}/{relative}")
        self.stdout.write(next_steps(name, layer))
