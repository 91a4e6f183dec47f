"""``shuzheng startmodule``: a new module has the one shape, is lint-clean, and a refused run
changes nothing (docs/style.md, habits 1 and 7)."""

import ast
import importlib.util
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

EXPECTED_FILES = {
    "__init__.py",
    "apps.py",
    "README.md",
    "models.py",
    "services.py",
    "selectors.py",
    "facade.py",
    "contracts.py",
    "api.py",
    "views.py",
    "urls.py",
    "tasks.py",
    "templates/{name}/.gitkeep",
    "migrations/__init__.py",
    "tests/__init__.py",
    "tests/test_module.py",
}
RUFF = Path(sys.executable).parent / "ruff"


def _package_dir(tmp_path: Path) -> Path:
    """A stand-in for src/shuzheng, so first-party import sorting sees the real layout."""
    target = tmp_path / "src" / "shuzheng"
    target.mkdir(parents=True)
    return target


def _startmodule(*args: str) -> str:
    out = io.StringIO()
    call_command("startmodule", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _tree(root: Path) -> dict[str, bytes]:
    """Every file and folder under root with its content (folders map to b"")."""
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else b"")
        for p in sorted(root.rglob("*"))
    }


def _load(path: Path, module_name: str):
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_creates_every_file_of_the_module_shape(tmp_path):
    # given an empty package folder
    target = _package_dir(tmp_path)

    # when a new L2 module is started
    out = _startmodule(
        "opendata", "--layer", "L2", "--title", "公共数据开放", "--target", str(target)
    )

    # then exactly the files of the shape exist, and nothing else was left in the target
    module = target / "opendata"
    files = {str(p.relative_to(module)) for p in module.rglob("*") if p.is_file()}
    assert files == {f.format(name="opendata") for f in EXPECTED_FILES}
    assert [p.name for p in target.iterdir()] == ["opendata"]
    # the folder gets the usual permissions (the umask), not a temporary folder's 0700
    reference = tmp_path / "reference"
    reference.mkdir()
    assert module.stat().st_mode == reference.stat().st_mode

    # every Python file compiles and opens with a one-line docstring saying what belongs there
    for path in module.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(compile(source, str(path), "exec", ast.PyCF_ONLY_AST))
        docstring = ast.get_docstring(tree)
        assert docstring and "\n" not in docstring, path

    assert (module / "README.md").read_text(encoding="utf-8").startswith("# opendata (L2)\n")
    assert "Owns:" in (module / "README.md").read_text(encoding="utf-8")

    # the manual steps name the shared files to edit
    assert '"shuzheng.opendata" to INSTALLED_APPS under "# L2"' in out
    assert 'protected_modules = ["shuzheng.opendata.models"' in out
    assert 'api.add_router("/", opendata_router)' in out
    assert 'include("shuzheng.opendata.urls")' in out


def test_generated_app_config_and_router_are_real(tmp_path):
    target = _package_dir(tmp_path)
    _startmodule("opendata", "--layer", "L2", "--title", "公共数据开放", "--target", str(target))
    module = target / "opendata"

    apps_module = _load(module / "apps.py", "generated_opendata_apps")
    config = apps_module.OpendataConfig
    assert (config.name, config.label, config.verbose_name) == (
        "shuzheng.opendata",
        "opendata",
        "公共数据开放 (opendata)",
    )

    api_module = _load(module / "api.py", "generated_opendata_api")
    assert api_module.router.tags == ["opendata 公共数据开放"]

    urls_module = _load(module / "urls.py", "generated_opendata_urls")
    assert (urls_module.app_name, urls_module.urlpatterns) == ("opendata", [])

    # the starter test checks exactly these two facts once the app is installed
    starter = (module / "tests" / "test_module.py").read_text(encoding="utf-8")
    assert 'apps.get_app_config("opendata")' in starter
    assert 'assert config.name == "shuzheng.opendata"' in starter
    assert 'assert router.tags == ["opendata 公共数据开放"]' in starter


def test_without_title_the_name_is_used(tmp_path):
    target = _package_dir(tmp_path)
    # (an example name no installed app has: startmodule refuses one that exists)
    _startmodule("lostfound", "--layer", "L2", "--target", str(target))
    api = _load(target / "lostfound" / "api.py", "generated_lostfound_api")
    assert api.router.tags == ["lostfound"]
    assert _load(
        target / "lostfound" / "apps.py", "generated_lostfound_apps"
    ).LostfoundConfig.verbose_name == ("lostfound")


@pytest.mark.parametrize(
    ("name", "layer", "title"),
    [
        ("opendata", "L2", "公共数据开放"),
        ("lostfound", "L3", ""),
        # the longest name and title allowed still give lines under 100 columns
        ("a_very_long_module_name_for_x1", "L1", "一二三四五六七八九十一二三四五六"),
    ],
)
def test_generated_code_passes_ruff_with_the_project_config(tmp_path, name, layer, title):
    if not RUFF.exists():
        pytest.skip("ruff is not installed next to this Python")
    target = _package_dir(tmp_path)
    _startmodule(name, "--layer", layer, "--title", title, "--target", str(target))
    base = Path(settings.BASE_DIR)
    config = ["--config", str(base / "pyproject.toml"), "--config", f"src = ['{tmp_path / 'src'}']"]
    for command in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        result = subprocess.run(
            [str(RUFF), *command, *config, str(target / name)],
            cwd=base,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "name",
    [
        "Licenses",  # upper case
        "foo-bar",  # not an identifier
        "1abc",  # starts with a digit
        "class",  # a keyword
        "a__b",  # double underscore
        "trailing_",
        "x" * 31,  # too long
        "tests",  # reserved folder name
        "admin",  # label of an installed app (django.contrib.admin)
        "",
    ],
)
def test_bad_name_is_refused_and_changes_nothing(tmp_path, name):
    target = _package_dir(tmp_path)
    (target / "existing.py").write_text("X = 1\n", encoding="utf-8")
    before = _tree(tmp_path)

    with pytest.raises(CommandError) as excinfo:
        _startmodule(name, "--layer", "L2", "--target", str(target))

    message = str(excinfo.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message  # Chinese
    assert " / " in message and any(ch.isascii() and ch.isalpha() for ch in message)  # English
    assert _tree(tmp_path) == before


def test_existing_folder_is_refused_and_left_untouched(tmp_path):
    target = _package_dir(tmp_path)
    existing = target / "opendata"
    existing.mkdir()
    (existing / "models.py").write_text('"""Real work, not to be overwritten."""\n')
    before = _tree(tmp_path)

    with pytest.raises(CommandError, match=r"已存在.* / .*already exists"):
        _startmodule("opendata", "--layer", "L2", "--target", str(target))

    assert _tree(tmp_path) == before


def test_existing_module_file_is_refused(tmp_path):
    target = _package_dir(tmp_path)
    (target / "settings.py").write_text("DEBUG = False\n")
    before = _tree(tmp_path)
    with pytest.raises(CommandError, match="already exists"):
        _startmodule("settings", "--layer", "L1", "--target", str(target))
    assert _tree(tmp_path) == before


def test_default_target_is_the_shuzheng_package():
    # "audit" exists in src/shuzheng, so the default target refuses it without writing anything
    # (other files in the real package may change meanwhile, so only ours are compared)
    package = Path(settings.PACKAGE_DIR)
    readme = (package / "audit" / "README.md").read_bytes()
    with pytest.raises(CommandError) as excinfo:
        _startmodule("audit", "--layer", "L1")
    assert str(package / "audit") in str(excinfo.value)
    assert (package / "audit" / "README.md").read_bytes() == readme
    assert not [p for p in package.iterdir() if p.name.startswith(".startmodule-")]


@pytest.mark.parametrize(
    "args",
    [
        ["opendata", "--layer", "L4"],  # interfaces are not generated
        ["opendata"],  # the layer is required
        ["opendata", "--layer", "L2", "--title", 'bad"title'],
        ["opendata", "--layer", "L2", "--title", "一" * 17],
    ],
)
def test_bad_options_are_refused(tmp_path, args):
    target = _package_dir(tmp_path)
    with pytest.raises(CommandError):
        _startmodule(*args, "--target", str(target))
    assert list(target.iterdir()) == []


def test_missing_target_is_refused(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        _startmodule("opendata", "--layer", "L2", "--target", str(tmp_path / "nowhere"))
    assert list(tmp_path.iterdir()) == []
