"""The dependency picture: models at the bottom, then selectors and permissions, services, forms and
Excel, views, and registration on top. A module may import its own layer and the layers below it,
never one above (not even inside a function).
"""

import ast
import importlib
from pathlib import Path

import daiban

PACKAGE = Path(daiban.__file__).parent

# Lowest first. A module belongs to the first layer with a prefix that matches its dotted name.
LAYERS = [
    ("foundation", ["daiban.ids", "daiban.roles", "daiban.masking", "daiban.search", "daiban.sms", "daiban.charts"]),
    ("models", ["daiban.models"]),
    (
        "selectors and permissions",
        [
            "daiban.permissions",
            "daiban.workdays",
            "daiban.deadlines",
            "daiban.queues",
            "daiban.assignment",
            "daiban.statistics",
            "daiban.reporting",
            "daiban.ratelimit",
            "daiban.catalogue_review",
            "daiban.matter_picker",
        ],
    ),
    ("services", ["daiban.services", "daiban.reminders", "daiban.tasks"]),
    ("forms and Excel", ["daiban.forms", "daiban.excel", "daiban.tables", "daiban.filters"]),
    (
        "views",
        [
            "daiban.views",
            "daiban.viewsets",
            "daiban.admin_ledger",
            "daiban.api",
            "daiban.templatetags",
            "daiban.staff_guide",
            "daiban.auth",
            "daiban.security",
        ],
    ),
    ("registration", ["daiban.wagtail_hooks", "daiban.urls", "daiban.apps", "daiban.management", "daiban.demo"]),
]


def layer_of(module):
    for rank, (_name, prefixes) in enumerate(LAYERS):
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes):
            return rank
    return None


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        if "migrations" in relative.parts:
            continue
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        yield ".".join(parts), path


def imported(module, path):
    """Every daiban module this one imports, at any depth of the file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module
            yield target
            # `from daiban.services import intake` imports the module daiban.services.intake
            yield from (f"{target}.{alias.name}" for alias in node.names)


def test_every_module_imports_and_has_a_layer():
    unplaced = []
    for module, _path in modules():
        importlib.import_module(module)
        if layer_of(module) is None and module != "daiban":
            unplaced.append(module)
    assert unplaced == []


def test_no_module_imports_a_higher_layer():
    known = {module for module, _path in modules()}
    upward = []
    for module, path in modules():
        own = layer_of(module)
        if own is None:
            continue
        for target in set(imported(module, path)):
            if target not in known:
                continue
            rank = layer_of(target)
            if rank is not None and rank > own:
                upward.append(f"{module} ({LAYERS[own][0]}) → {target} ({LAYERS[rank][0]})")
    assert sorted(upward) == []
