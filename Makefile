# The two commands: `make run` and `make test`.  Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install run test test-fast bench i18n i18n-compile lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) i18n-compile

i18n-compile: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d translations -D messages --statistics 2>&1 | tail -n 3
	$(BIN)/pybabel compile -d translations -D wtforms 2>&1 | tail -n 3

# Serve on 127.0.0.1:5000 with the scheduler beside it; the demo is seeded once.
run: install
	$(BIN)/portal db upgrade
	$(BIN)/portal seed-demo
	@echo "Portal: http://127.0.0.1:5000  (Ctrl-C stops the portal and the scheduler)"
	@trap 'kill 0' INT TERM EXIT; export SMS_TO_LOG=1; \
	  $(BIN)/portal scheduler & \
	  $(BIN)/portal serve --host 127.0.0.1 --port 5000

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench all

# Extract the strings, merge them into the catalogs, compile.  Translate what is new before committing:
# a test fails on any untranslated or fuzzy message.
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -k N_ -k ngettext:1,2 --no-location \
	  --sort-output --project "contributions-portal" --copyright-holder "the contributions portal authors" \
	  -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -D messages --no-fuzzy-matching --ignore-obsolete
	$(MAKE) i18n-compile

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info test-artifacts .pytest_cache
