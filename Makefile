# Uppsikt — the two commands a newcomer needs: `make run` and `make test`.
# Both create the virtual environment .venv on first use (and again when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
PORT ?= 8000
SIZES ?= S L X
BENCH_ARGS ?=

.PHONY: run test install lint format check ci worker beat clean bench bench-smoke

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
		{ echo "Uppsikt needs Python 3.11 or newer; try: make $(MAKECMDGOALS) PYTHON=python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate, load the demo municipality and serve it on http://127.0.0.1:8000
## (another port: make run PORT=8001)
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test: install and run the whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

## make bench: the benchmarks of BENCHMARKS.md on the local PostgreSQL (databases uppsikt_bench_*);
## sizes selectable (make bench SIZES="S L"); prints one table, writes benchmarks/results.json
bench: $(STAMP)
	$(PY) benchmarks/bench.py --sizes $(SIZES) $(BENCH_ARGS)

## make bench-smoke: what CI runs: size S, few requests, no load test, no X
bench-smoke: $(STAMP)
	$(PY) benchmarks/bench.py --smoke --json var/bench-smoke.json

## make lint / make format: ruff
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

## make check: migrations committed, Django's system checks
check: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

## make ci: what CI runs (needs root for apt, local PostgreSQL and Redis)
ci:
	bash .ci/run

worker: $(STAMP)
	$(VENV)/bin/celery -A config worker --loglevel=info

beat: $(STAMP)
	$(VENV)/bin/celery -A config beat --loglevel=info

clean:
	rm -rf $(VENV) var .pytest_cache
