"""Docs that check themselves: the layer list, the glossary's code names, module READMEs and the
protected contracts must agree with the code (docs/style.md, habits 4 and 10).

No Django and no database: these tests read files only.
"""

import functools
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "shuzheng"
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
GLOSSARY = ROOT / "docs" / "glossary.md"
PYPROJECT = ROOT / "pyproject.toml"

# Top-level entries under src/shuzheng that are glue, data or assets, not layered modules.
NOT_MODULES = {"settings", "urls", "wsgi", "locale", "static", "templates", "__pycache__"}


def _contracts() -> list[dict]:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


def _layers_contract() -> list[str]:
    layers = [c for c in _contracts() if c["type"] == "layers"]
    assert len(layers) == 1, "expected exactly one layers contract in pyproject.toml"
    return [" ".join(line.split()) for line in layers[0]["layers"]]


def _documented_layers() -> list[str]:
    """The fenced block in ARCHITECTURE.md §3, top to bottom, names without `shuzheng.`."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = re.search(r"^## 3\..*?(?=^## )", text, re.S | re.M)
    assert section, "ARCHITECTURE.md has no section 3"
    block = re.search(r"^[ \t]*```text\n(.*?)^[ \t]*```", section.group(0), re.S | re.M)
    assert block, "ARCHITECTURE.md §3 has no ```text block with the layer list"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def _qualified(line: str) -> str:
    """`portal | workbench` -> `shuzheng.portal | shuzheng.workbench` (separators kept)."""
    return re.sub(r"([a-z_][a-z0-9_]*)", r"shuzheng.\1", " ".join(line.split()))


def _modules() -> list[str]:
    names = []
    for path in sorted(SRC.iterdir()):
        name = path.stem if path.suffix == ".py" else path.name
        if name.startswith(("_", ".")) or name in NOT_MODULES:
            continue
        if path.is_dir() and not (path / "__init__.py").exists():
            continue
        if path.is_file() and path.suffix != ".py":
            continue
        names.append(name)
    return names


def _modules_with_models() -> list[str]:
    return [
        m for m in _modules() if (SRC / m / "models.py").exists() or (SRC / m / "models").is_dir()
    ]


# (a) The layer list ------------------------------------------------------------------------------


def test_architecture_layer_list_equals_the_import_linter_layers_contract():
    documented = [_qualified(line) for line in _documented_layers()]
    assert documented == _layers_contract(), (
        "docs/ARCHITECTURE.md §3 and the layers contract in pyproject.toml differ: "
        "change both in the same commit"
    )


def test_every_module_is_in_the_layer_list():
    layered = {
        name.strip()
        for line in _documented_layers()
        for name in re.split(r"[|:]", line)
        if name.strip()
    }
    assert sorted(set(_modules()) - layered) == [], "module missing from ARCHITECTURE.md §3"
    assert sorted(layered - set(_modules())) == [], "ARCHITECTURE.md §3 names a module that is gone"


# (b) The glossary's code names -------------------------------------------------------------------

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
DOTTED = re.compile(rf"{IDENT}(?:\.{IDENT})*")
# Backticked text that is not a code name: URL paths and names with placeholders
# (`/api/v1/...`, `source-<code>`).
NOT_A_NAME = re.compile(r"^(/|https?:)|<")


@functools.cache
def _source_files() -> list[Path]:
    return [
        p
        for p in SRC.rglob("*")
        if p.is_file()
        and p.suffix in {".py", ".json", ".html", ".css"}
        and "__pycache__" not in p.parts
    ]


_SOURCES: dict[Path, str] = {}


def _text(path: Path) -> str:
    if path not in _SOURCES:
        _SOURCES[path] = path.read_text(encoding="utf-8", errors="replace")
    return _SOURCES[path]


def _has_word(word: str, paths: list[Path]) -> bool:
    pattern = re.compile(rf"(?<![A-Za-z0-9_-]){re.escape(word)}(?![A-Za-z0-9_-])")
    return any(pattern.search(_text(p)) for p in paths)


def _module_files(parts: list[str]) -> tuple[list[Path], list[str]] | None:
    """The longest prefix of `parts` that is a module under src/shuzheng (a file, or a package:
    all its files), and the parts left over."""
    for n in range(len(parts), 0, -1):
        base = SRC.joinpath(*parts[:n])
        if base.with_suffix(".py").is_file():
            return [base.with_suffix(".py")], parts[n:]
        if base.is_dir() and (base / "__init__.py").exists():
            return sorted(p for p in base.rglob("*.py") if "__pycache__" not in p.parts), parts[n:]
    return None


def _class_files(name: str, among: list[Path] | None = None) -> list[Path]:
    pattern = re.compile(rf"^\s*class {re.escape(name)}\b", re.M)
    files = among if among is not None else [p for p in _source_files() if p.suffix == ".py"]
    return [p for p in files if pattern.search(_text(p))]


def _defined(name: str, files: list[Path]) -> bool:
    """`name` is a class, function, assignment, annotated field or import in one of the files."""
    pattern = re.compile(
        rf"^\s*(?:(?:async\s+)?def|class)\s+{re.escape(name)}\b"
        rf"|^\s*{re.escape(name)}\s*[:=]"
        rf"|^\s*(?:from\s+\S+\s+)?import\s.*(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])",
        re.M,
    )
    return any(pattern.search(_text(p)) for p in files if p.suffix == ".py")


def _members_resolve(head_files: list[Path], parts: list[str]) -> bool:
    """`Case`, `due_date` in `head_files`: a class defined there, then each further part a whole
    word in a file that defines that class."""
    head, rest = parts[0], parts[1:]
    if not _defined(head, head_files):
        return False
    files = _class_files(head, head_files) or head_files
    return all(_has_word(part, files) for part in rest)


def _resolves(name: str) -> bool:
    """How a glossary name is looked up in src/shuzheng:

    - `cases.Case.due_date`, `identity.facade.register_enterprise`, `core.codes` — a module (file
      or package), then a name defined in it (class, function, assignment, import), then — when
      that is a class — each further part a whole word in the class's file;
    - `Case.due_date`, `Role.REVIEWER` — a class defined in src/, then each further part a whole
      word in a file defining that class;
    - `ServiceItem` (CamelCase) — a class or assignment of that name in src/;
    - `case_no`, `window_clerk`, `AUTH_USER_MODEL` — a whole word in some source file (code,
      templates, data): fields, choice values and settings are used more often than defined.
    """
    name = name.removeprefix("shuzheng.")
    if "-" in name:
        return _has_word(name, _source_files())
    parts = name.split(".")
    found = _module_files(parts)
    if found and (len(parts) > 1 or not _class_files(parts[0])):
        files, rest = found
        return not rest or _members_resolve(files, rest)
    py = [p for p in _source_files() if p.suffix == ".py"]
    if len(parts) > 1:
        classes = _class_files(parts[0], py)
        return bool(classes) and all(_has_word(part, classes) for part in parts[1:])
    if re.fullmatch(r"_?[A-Z][a-z]\w*", name):
        return _defined(name, py)
    return _has_word(name, _source_files())


def _resolves_path(path: str) -> bool:
    """`cases/models.py`, `catalog/data/catalog.json`, `src/shuzheng/portal/`: the file or folder
    exists (a `x/services.py` that became the package `x/services/` still counts); a bare file
    name (`spec.py`) exists somewhere under src/shuzheng."""
    if "/" not in path:
        return any(p.name == path for p in SRC.rglob(path))
    rel = path.removeprefix("src/shuzheng/").rstrip("/")
    target = SRC / rel
    if target.exists():
        return True
    return target.suffix == ".py" and (target.with_suffix("") / "__init__.py").exists()


def _glossary_rows() -> list[tuple[int, str, str, str]]:
    rows = []
    for number, line in enumerate(GLOSSARY.read_text(encoding="utf-8").splitlines(), 1):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 4 or set(cells[1]) <= {"-"}:
            continue
        if cells[1] == "code name":
            continue
        rows.append((number, cells[0], cells[1], cells[2]))
    return rows


def _code_names(cell: str) -> list[str]:
    names = []
    for quoted in re.findall(r"`([^`]+)`", cell):
        if NOT_A_NAME.search(quoted):
            continue
        if re.fullmatch(r"[\w.]+(-[\w.]+)+", quoted):
            names.append(quoted)  # a header or form name: `X-Request-ID`
        else:
            names.extend(DOTTED.findall(quoted))
    return names


def _where_refs(cell: str) -> tuple[list[str], list[str]]:
    """Paths (`cases/models.py`, a bare `spec.py`) and code names named in the `where` column."""
    paths, names = [], []
    for quoted in re.findall(r"`([^`]+)`", cell):
        if NOT_A_NAME.search(quoted):
            continue
        for token in quoted.split():
            token = token.strip(",;()")
            if token.startswith("/"):
                continue  # a URL path
            if "/" in token or token.endswith((".py", ".json")):
                paths.append(token)
            else:
                names.extend(DOTTED.findall(token))
    return paths, names


def test_the_glossary_has_rows():
    assert len(_glossary_rows()) > 50


@pytest.mark.parametrize("row", _glossary_rows(), ids=lambda row: f"glossary.md:{row[0]} {row[1]}")
def test_every_glossary_code_name_exists_in_the_code(row):
    number, word, code, where = row
    if "planned" in where:
        return  # names of modules that do not exist yet
    missing = [name for name in _code_names(code) if not _resolves(name)]
    assert missing == [], f"glossary.md:{number} ({word}): not in src/shuzheng: {missing}"


@pytest.mark.parametrize("row", _glossary_rows(), ids=lambda row: f"glossary.md:{row[0]} {row[1]}")
def test_every_glossary_where_exists(row):
    number, word, _code, where = row
    if "planned" in where:
        return
    paths, names = _where_refs(where)
    missing = [p for p in paths if not _resolves_path(p)]
    missing += [n for n in names if not _resolves(n)]
    assert missing == [], (
        f"glossary.md:{number} ({word}): 'where' names what is not there: {missing}"
    )


def _where_files(cell: str) -> list[Path]:
    """The files a `where` cell names: paths, bare file names (next to the path before them),
    modules (`identity.facade`)."""
    paths, names = _where_refs(cell)
    files: list[Path] = []
    folder = None
    for path in paths:
        if "/" in path:
            target = SRC / path.removeprefix("src/shuzheng/").rstrip("/")
            package = target.with_suffix("")
            if target.is_dir():
                files += [p for p in _source_files() if target in p.parents]
            elif target.is_file():
                files.append(target)
            elif (package / "__init__.py").exists():
                files += [p for p in _source_files() if package in p.parents]
            folder = target.parent
        else:
            near = [p for p in SRC.rglob(path) if folder is None or p.parent == folder]
            files += near or list(SRC.rglob(path))
    for name in names:
        found = _module_files(name.removeprefix("shuzheng.").split("."))
        if found:
            files += found[0]
    return files


@pytest.mark.parametrize("row", _glossary_rows(), ids=lambda row: f"glossary.md:{row[0]} {row[1]}")
def test_every_glossary_code_name_is_where_the_row_says(row):
    """A name the `where` column places in files is in one of those files."""
    number, word, code, where = row
    files = [] if "planned" in where else _where_files(where)
    if not files:
        return
    astray = []
    for name in _code_names(code):
        parts = name.removeprefix("shuzheng.").split(".")
        if "-" in name or _module_files(parts):
            continue
        if not (_has_word(parts[0], files) and _has_word(parts[-1], files)):
            astray.append(name)
    assert astray == [], f"glossary.md:{number} ({word}): not in the files of 'where': {astray}"


def test_the_name_lookup_refuses_what_is_not_there():
    assert _resolves("cases.Case")
    assert _resolves("cases.Case.due_date")
    assert _resolves("Case.case_no")
    assert _resolves("X-Request-ID")
    assert not _resolves("cases.Case.no_such_field")
    assert not _resolves("NoSuchModel")
    assert not _resolves("services.otp_send")  # a module is named from the top: identity.services
    assert _resolves("core.codes.validate_uscc")
    assert not _resolves("Case.no_such_field")
    assert not _resolves("core.codes.no_such_function")
    assert not _resolves("no_such_name_anywhere")
    assert _resolves_path("cases/models.py")
    assert not _resolves_path("cases/no_such_file.py")


# (c) A README for every module with models -------------------------------------------------------


# Modules still without a README.md: this list only shrinks (docs/style.md, habit 9).
AWAITING_README: set[str] = set()


def test_every_module_with_models_has_a_readme():
    missing = {m for m in _modules_with_models() if not (SRC / m / "README.md").is_file()}
    assert missing - AWAITING_README == set(), "a module with models needs a README.md"
    assert AWAITING_README - missing == set(), "it has a README now: strike it from the list"


# (d) One protected contract per module -----------------------------------------------------------

# core is the L0 base every module imports directly (calendar, errors, the outbox model):
# ARCHITECTURE.md §2 and §3.
UNPROTECTED = {"core"}


def _protected_contracts() -> list[dict]:
    return [c for c in _contracts() if c["type"] == "protected"]


def _owner(module_path: str) -> str:
    return module_path.removeprefix("shuzheng.").split(".")[0]


def test_every_module_with_models_has_exactly_one_protected_contract_of_its_own():
    contracts = _protected_contracts()
    for module in _modules_with_models():
        mine = [c for c in contracts if any(_owner(p) == module for p in c["protected_modules"])]
        if module in UNPROTECTED:
            assert mine == [], f"{module} is documented as unprotected"
            continue
        assert len(mine) == 1, f"{module}: {len(mine)} protected contracts name it"
        contract = mine[0]
        assert {_owner(p) for p in contract["protected_modules"]} == {module}, contract["name"]
        assert contract["allowed_importers"] == [f"shuzheng.{module}"], contract["name"]
        assert contract.get("as_packages", True), "services/ packages must be protected whole"
        for part in ("models", "services", "selectors"):
            found = _module_files([module, part])
            if found and found[1] == []:
                assert f"shuzheng.{module}.{part}" in contract["protected_modules"], part


def test_each_protected_contract_guards_one_module_and_allows_only_that_module():
    """No shared allowed-importer lists: a module's internals are open to itself alone."""
    for contract in _protected_contracts():
        owners = {_owner(p) for p in contract["protected_modules"]}
        assert len(owners) == 1, f"{contract['name']}: protects {sorted(owners)}"
        assert contract["allowed_importers"] == [f"shuzheng.{owners.pop()}"], contract["name"]


def test_every_protected_module_exists():
    """A protected name that no longer exists (renamed, or a services.py turned package under
    another name) would silently protect nothing."""
    for contract in _protected_contracts():
        for module in contract["protected_modules"]:
            found = _module_files(module.removeprefix("shuzheng.").split("."))
            assert found and found[1] == [], f"{contract['name']}: {module} does not exist"


def test_every_setting_the_security_page_names_is_read_by_the_code():
    """docs/security.md tells operators which SHUZHENG_* settings to set: each must exist."""
    text = (ROOT / "docs" / "security.md").read_text("utf-8")
    names = set(re.findall(r"SHUZHENG_[A-Z0-9_]+", text))
    assert len(names) > 20
    code = "\n".join(p.read_text("utf-8") for p in (ROOT / "src").rglob("*.py"))
    assert sorted(n for n in names if n not in code) == []
