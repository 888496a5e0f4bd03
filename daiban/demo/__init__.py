"""Demo data for `manage.py load_demo`: one module per capability, each with an idempotent load(out)."""

# Order matters: later steps use what earlier ones created.
STEPS = [
    "daiban.demo.org",
    "daiban.demo.catalogue",
    "daiban.demo.cases",  # every intake and screening state, with catalogue matters
    "daiban.demo.handling",  # all three routes, some due soon, some overdue
    "daiban.demo.results",  # last: completed, evaluated and archived cases over several months
]
