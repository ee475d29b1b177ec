# kansoku: `make demo` sets everything up and runs the sample corpus; `make test` runs the suite.
# Three install levels, each stamped with the checksum of pyproject.toml: the tool itself (demo), plus
# the `dev` extra (test, lint), plus the `bench` extra (the ja_ginza baseline of `make bench`).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUM    := $(shell cksum pyproject.toml | cut -d' ' -f1)
STAMP  := $(VENV)/.installed-$(SUM)
DEV    := $(VENV)/.installed-dev-$(SUM)
BENCH  := $(VENV)/.installed-bench-$(SUM)

.PHONY: install install-spark install-e2e demo serve test lint bench score clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[web]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

$(DEV): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[dev,web]'
	@touch $(DEV)

$(BENCH): $(DEV)
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	@touch $(BENCH)

# the spark extra and Java 17 for the Spark engine's tests (apt-get only when java is missing and we are root)
SPARK_STAMP := $(VENV)/.spark-$(shell cksum pyproject.toml | cut -d' ' -f1)
$(SPARK_STAMP): $(DEV)
	$(BIN)/python -m pip install -q -e '.[dev,spark]'
	@if ! command -v java >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "installing Java 17 for the Spark engine"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; \
	fi
	@rm -f $(VENV)/.spark-*
	@touch $(SPARK_STAMP)

# the browser of the web UI's end-to-end tests (tests/web/test_web_e2e.py): Playwright for Python (dev extra)
# drives Debian's chromium (Playwright's own browser download is not used); apt-get only when chromium
# is missing and we are root
E2E_STAMP := $(VENV)/.e2e-$(shell cksum pyproject.toml | cut -d' ' -f1)
$(E2E_STAMP): $(DEV)
	@if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "installing chromium for the web UI's browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi
	@rm -f $(VENV)/.e2e-*
	@touch $(E2E_STAMP)

install: $(STAMP)

install-spark: $(SPARK_STAMP)

install-e2e: $(E2E_STAMP)

demo: $(STAMP)
	@mkdir -p out/demo
	$(BIN)/kansoku analyze examples/corpus --out out/demo/analysis.jsonl --quiet
	$(BIN)/kansoku analyze examples/corpus --format md --out out/demo/briefing.md --quiet
	$(BIN)/kansoku validate out/demo/analysis.jsonl
	@rm -f out/demo/kansoku.db out/demo/kansoku.db-wal out/demo/kansoku.db-shm
	$(BIN)/kansoku ingest examples/corpus --db out/demo/kansoku.db --quiet
	$(BIN)/kansoku report --db out/demo/kansoku.db --out out/demo/report
	@echo "demo written to out/demo/: analysis.jsonl, briefing.md, kansoku.db, report/briefing.html"

# the web UI on the demo store (make demo first): http://127.0.0.1:8000/
serve: $(STAMP)
	@test -f out/demo/kansoku.db || { echo "make serve: out/demo/kansoku.db does not exist: run make demo first"; exit 2; }
	$(BIN)/kansoku serve --db out/demo/kansoku.db

lint: $(DEV)
	$(BIN)/ruff check src tests bench tools

test: $(DEV) $(SPARK_STAMP) $(E2E_STAMP) lint
	$(BIN)/python -m pytest

# every target of issue 15 against its baseline (bench/targets.py); needs ../shared/eval
bench:
	@if [ -d ../shared/eval/livedoor-news/text ]; then \
	  $(MAKE) --no-print-directory $(BENCH) && $(BIN)/python bench/targets.py; \
	else echo "make bench: ../shared/eval/livedoor-news/text not present: nothing to measure"; fi

# score the dev articles against the hand-made gold in ../shared (skips when absent)
score: $(STAMP)
	@if [ -d ../shared/corpus/dev ]; then \
	  $(BIN)/kansoku analyze ../shared/corpus/dev $$(cd ../shared/gold/dev && for g in topic-news-*.json; do \
	    echo ../shared/eval/livedoor-news/text/topic-news/$${g%.json}.txt; done) --quiet --out out/dev.jsonl; \
	  $(BIN)/python ../shared/score.py out/dev.jsonl --gold ../shared/gold/dev; \
	else echo "../shared not present: nothing to score"; fi

clean:
	rm -rf out build *.egg-info src/*.egg-info .pytest_cache .ruff_cache
