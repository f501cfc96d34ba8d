"""The package map drawn from the code's own imports matches docs/architecture.md.

The table "The arrows allowed" in that page is read here, so the page and the code cannot drift
apart: a new import that runs against the map fails this test until the map says why it may.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "enhancer"
MAP = ROOT / "docs" / "architecture.md"


def room_of(module: str) -> str | None:
    """`enhancer.jobs.pipeline` -> `jobs`; `enhancer.tasks` -> `tasks`; outside the app -> None."""
    parts = module.split(".")
    if parts[0] != "enhancer" or len(parts) < 2:
        return None
    return parts[1]


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports (absolute names; `from enhancer import x` counts as enhancer.x)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "enhancer":
                found.update(f"enhancer.{alias.name}" for alias in node.names)
    return found


def code_arrows() -> dict[tuple[str, str], list[str]]:
    """(from room, to room) -> the files that draw that arrow."""
    arrows: dict[tuple[str, str], list[str]] = {}
    for path in APP.rglob("*.py"):
        here = room_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for module in imports_of(path):
            there = room_of(module)
            if there and here and there != here:
                arrows.setdefault((here, there), []).append(str(path.relative_to(ROOT)))
    return arrows


def allowed_arrows() -> set[tuple[str, str]]:
    """The table in docs/architecture.md: `room` | rooms it may import."""
    section = MAP.read_text().split("## The arrows allowed", 1)[1].split("\n## ", 1)[0]
    allowed = set()
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not cells[0].startswith("`enhancer/"):
            continue
        rooms = [
            room_of(name.strip("/").replace("/", ".").removesuffix(".py"))
            for name in re.findall(r"`([^`]+)`", cells[0])
        ]
        targets = [name.split(".")[0].strip("/") for name in re.findall(r"`([^`]+)`", cells[1])]
        for room in rooms:
            allowed.update((room, target.removesuffix(".py")) for target in targets)
    return allowed


def test_the_map_has_a_row_for_every_room():
    rooms = {room_of(".".join(p.relative_to(ROOT).with_suffix("").parts)) for p in APP.rglob("*.py")}
    mapped = {here for here, _ in allowed_arrows()} | {"hitpaw"}
    assert rooms - {None, "__init__"} <= mapped


def test_no_import_runs_against_the_map():
    allowed = allowed_arrows()
    against = {arrow: files for arrow, files in code_arrows().items() if arrow not in allowed}
    assert not against, f"imports against docs/architecture.md: {against}"


def test_the_hitpaw_package_knows_nothing_of_django_or_the_rest_of_the_app():
    for path in (APP / "hitpaw").rglob("*.py"):
        bad = {m for m in imports_of(path) if m.startswith("django") or room_of(m) not in (None, "hitpaw")}
        assert not bad, f"{path.name} imports {bad}"


def test_views_never_reach_the_hitpaw_client():
    for path in (APP / "web").rglob("*.py"):
        assert "enhancer.hitpaw.client" not in imports_of(path), path


def test_the_api_room_never_reaches_the_hitpaw_client():
    """Callers that are not browser sessions (tokens, the gateway, the JSON API, webhooks) create
    jobs through intake like the form; only the pipeline calls HitPaw, from a worker."""
    assert (APP / "api" / "__init__.py").is_file()
    for path in (APP / "api").rglob("*.py"):
        assert "enhancer.hitpaw.client" not in imports_of(path), path


def test_nothing_outside_the_sandbox_imports_it():
    for path in APP.rglob("*.py"):
        if "sandbox" in path.relative_to(APP).parts:
            continue
        assert not any(room_of(m) == "sandbox" for m in imports_of(path)), path


def test_the_coin_and_net_rooms_exist():
    for room in ("coins", "net", "ops"):
        assert (APP / room / "__init__.py").is_file(), room


def test_jobs_never_imports_the_task_module_or_what_sits_above_it():
    """jobs/ queues work by dotted path (`async_task("enhancer.tasks.<name>")`): tasks.py imports
    jobs, never the reverse; nor does jobs/ import the pages, ops or the sandbox."""
    for path in (APP / "jobs").rglob("*.py"):
        above = {m for m in imports_of(path) if room_of(m) in ("tasks", "web", "ops", "sandbox", "admin")}
        assert not above, f"{path.name} imports {above}"


def test_coins_import_only_the_models_and_vendor_facts():
    for path in (APP / "coins").rglob("*.py"):
        bad = {m for m in imports_of(path) if room_of(m) not in (None, "coins", "models", "hitpaw")}
        assert not bad, f"{path.name} imports {bad}"


def test_net_knows_nothing_of_the_rest_of_the_app():
    for path in (APP / "net").rglob("*.py"):
        bad = {m for m in imports_of(path) if room_of(m) not in (None, "net")}
        assert not bad, f"{path.name} imports {bad}"


def test_only_net_opens_connections_to_links_others_chose():
    """The image fetcher and the form go through `enhancer.net`; no other module builds a pinned
    session or judges addresses of its own."""
    for path in APP.rglob("*.py"):
        if "net" in path.relative_to(APP).parts:
            continue
        found = imports_of(path)
        assert "urllib3.connection" not in found and "requests.adapters" not in found, path


def test_pages_show_what_the_ledger_charged_not_job_coins():
    """A photo's coins on a page come from the ledger (`charged`, `enhancer/coins/charged.py`)."""
    for template in (ROOT / "templates").rglob("*.html"):
        assert "{{ job.coins" not in template.read_text(), template
