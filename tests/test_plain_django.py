"""The app stands on Django's public API only, so a Django upgrade cannot break it silently: no
private (`_`-prefixed) attribute of anything but our own code, no ORM compiler internals, no
database engine internals, and Django's own database engines and cache under it."""

import ast
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
CHECKED = ("enhancer", "hitpaw_site")

# Documented although `_`-prefixed: Django's model options and managers, namedtuple's methods,
# and `os._exit`.
ALLOWED_PRIVATE = {
    "_meta",
    "_default_manager",
    "_base_manager",
    "_asdict",
    "_replace",
    "_fields",
    "_make",
    "_exit",
}
# Not Django's: django-storages' S3 key rule, which our S3Storage subclass applies to its own names.
ALLOWED_PRIVATE |= {"_normalize_name"}
# The ORM's compiler and a query's innards: what a queryset does for us.
COMPILER_INTERNALS = {
    "get_compiler",
    "add_update_values",
    "klass_info",
    "annotation_col_map",
    "get_converters",
    "from_db",
    "execute_sql",
    "results_iter",
}
PRIVATE_MODULES = ("django.db.models.sql", "django.db.backends")
PUBLIC_BACKEND_MODULES = {"django.db.backends.signals"}


def sources() -> list[tuple[str, ast.Module]]:
    """Every Python file we check, as (path relative to the project, its syntax tree)."""
    found = []
    for top in CHECKED:
        for path in sorted((PROJECT / top).rglob("*.py")):
            found.append((str(path.relative_to(PROJECT)), ast.parse(path.read_text(), filename=str(path))))
    return found


def our_own_names(trees: list[tuple[str, ast.Module]]) -> Counter[str]:
    """Every `_`-prefixed name our own code defines (functions, classes, attributes, variables,
    modules), with how many times: an override of a private method of Django's defines it once."""
    names: Counter[str] = Counter(path.stem for top in CHECKED for path in (PROJECT / top).rglob("_*.py"))
    for _, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names[node.name] += 1
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names[node.id] += 1
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names[node.attr] += 1
            elif isinstance(node, ast.arg):
                names[node.arg] += 1
            elif isinstance(node, ast.alias) and node.asname:
                names[node.asname] += 1
    return Counter({name: count for name, count in names.items() if name.startswith("_")})


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_module(module: str) -> bool:
    if module in PUBLIC_BACKEND_MODULES:
        return False
    if module.startswith(PRIVATE_MODULES):
        return True
    return module.startswith("django") and any(is_private(part) for part in module.split("."))


def uses_of_private_django(path: str, tree: ast.Module, ours: Counter[str]) -> list[str]:
    found = []
    for node in ast.walk(tree):
        where = f"{path}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            found += [f"{where} imports {alias.name}" for alias in node.names if private_module(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if private_module(node.module):
                found.append(f"{where} imports from {node.module}")
            elif node.module.startswith("django"):
                found += [
                    f"{where} imports {node.module}.{alias.name}"
                    for alias in node.names
                    if is_private(alias.name) or private_module(f"{node.module}.{alias.name}")
                ]
        elif isinstance(node, ast.Attribute):
            if node.attr in COMPILER_INTERNALS:
                found.append(f"{where} uses the ORM's internals: .{node.attr}")
            elif node.attr == "chain" and _names_a_query(node.value):
                found.append(f"{where} uses the ORM's internals: query.chain")
            elif is_private(node.attr) and node.attr not in ALLOWED_PRIVATE:
                if node.attr not in ours or (_is_super(node.value) and ours[node.attr] < 2):
                    found.append(f"{where} uses a private attribute: .{node.attr}")
    return found


def _is_super(node: ast.expr) -> bool:
    """`super()`: its private attribute is ours only if one of our own classes defines it too."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"


def _names_a_query(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "query") or (
        isinstance(node, ast.Attribute) and node.attr == "query"
    )


def test_no_private_django_api_in_the_app():
    trees = sources()
    ours = our_own_names(trees)
    found = sorted(
        (use for path, tree in trees for use in uses_of_private_django(path, tree, ours)),
        key=lambda use: (use.split(":")[0], int(use.split(":")[1].split()[0])),
    )

    assert not found, "Django's private API used (use a public one):\n" + "\n".join(found)


def test_no_database_engines_of_our_own():
    assert not (PROJECT / "enhancer" / "db_backends").exists()
    assert not (PROJECT / "hitpaw_site" / "redis_cache.py").exists()


ENGINES = (
    "from django.conf import settings;"
    "print(json.dumps([settings.DATABASES['default']['ENGINE'], settings.CACHES['default']['BACKEND']]))"
)


def engines(**env) -> list[str]:
    """The database engine and cache backend a fresh Django process gets with `env`."""
    environ = {name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "REDIS_URL")}
    environ.update(DJANGO_SETTINGS_MODULE="hitpaw_site.settings", **env)
    out = subprocess.run(
        [sys.executable, "-c", f"import json, django; django.setup(); {ENGINES}"],
        cwd=PROJECT,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_the_database_engines_and_caches_are_djangos_own():
    on_sqlite = engines()
    on_postgresql = engines(
        DATABASE_URL="postgres://enhance@127.0.0.1:5432/enhance", REDIS_URL="redis://127.0.0.1:6379/1"
    )

    assert on_sqlite == ["django.db.backends.sqlite3", "django.core.cache.backends.db.DatabaseCache"]
    assert on_postgresql == ["django.db.backends.postgresql", "django.core.cache.backends.redis.RedisCache"]
