# Two commands for people: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test bench lint format install clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py load_demo
	@echo ""
	@echo "门户已启动：http://$(HOST):$(PORT)/    后台：http://$(HOST):$(PORT)/admin/"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	@if [ -x /usr/bin/chromium ]; then echo "浏览器测试：使用 /usr/bin/chromium"; \
	else echo "浏览器测试：未找到 /usr/bin/chromium，跳过（apt-get install chromium fonts-noto-cjk 后可运行）"; fi
	$(PY) -m pytest -n 2 --dist loadfile --durations=15 $(PYTEST_ARGS)

bench: install
	$(PY) -m pytest benchmarks -q $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 media .test-media collected-static
