"""Demo data for `manage.py load_demo`: one module per capability, each with an idempotent load(out)."""

# Order matters: later steps use what earlier ones created.
STEPS = [
]
