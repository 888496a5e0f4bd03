# Two commands for people: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test bench load lint format install clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	@# Jobs run inline while loading: the search index and the demo's messages are done before the site opens.
	TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend $(PY) manage.py load_demo
	@echo ""
	@echo "门户已启动：http://$(HOST):$(PORT)/    后台：http://$(HOST):$(PORT)/admin/"
	@echo "后台任务（短信、邮件、索引）由 db_worker 在旁运行，随 runserver 一起退出。"
	@# One shell: the worker runs beside runserver and is stopped when runserver ends (Ctrl+C included).
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	@if [ -x /usr/bin/chromium ]; then echo "浏览器测试：使用 /usr/bin/chromium"; \
	else echo "浏览器测试：未找到 /usr/bin/chromium，跳过（apt-get install chromium fonts-noto-cjk 后可运行）"; fi
	$(PY) -m pytest -n 2 --dist loadfile --durations=15 $(PYTEST_ARGS)

# SQLite by default; on PostgreSQL: DATABASE_URL=postgres://… make bench (add BENCH_1M=1 for a million cases).
bench: install
	$(PY) -m pytest benchmarks -q $(PYTEST_ARGS)

# 200 simultaneous /apply/ submissions through gunicorn on PostgreSQL (a fresh database daiban_load,
# dropped afterwards); LOAD_ARGS="--requests 50 --workers 2", LOAD_DATABASE_SERVER=postgres://user@host:port.
load: install
	$(PY) benchmarks/load_apply.py $(LOAD_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 media .test-media collected-static
