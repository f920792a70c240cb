# The README's commands. uv is installed into .cache/uv when it is not on the PATH.
export UV_PYTHON_DOWNLOADS ?= never
# Installed packages come with their bytecode: every process (an import, a Streamlit worker) starts
# without compiling pandas and its peers first.
export UV_COMPILE_BYTECODE ?= 1
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.cache/uv/bin/uv)

.PHONY: run demo serve test lint

# Real data only: demo mode is off whatever the shell says.
run: $(UV)
	$(UV) sync --locked --no-dev
	SLUTASKJUT_DEMO=0 $(UV) run --no-sync streamlit run serve.py

# The synthetic demonstration extracts instead of the police events, in a database of their own.
demo: $(UV)
	$(UV) sync --locked --no-dev
	SLUTASKJUT_DEMO=1 $(UV) run --no-sync streamlit run serve.py

# Several workers behind HAProxy under supervisord (slutaskjut/serving.py); WORKERS defaults to the cores.
serve: $(UV)
	sh .ci/serve-tools
	$(UV) sync --locked --no-dev
	SLUTASKJUT_DEMO=0 $(UV) run --no-sync python -m slutaskjut serve $(if $(WORKERS),--workers $(WORKERS))

test: $(UV)
	sh .ci/test-tools
	sh .ci/serve-tools
	npm ci --prefix tests/axe --no-audit --no-fund --loglevel=error
	$(UV) sync --locked
	$(UV) run --no-sync pytest

lint: $(UV)
	$(UV) run ruff check .
	$(UV) run ruff format --check .

$(CURDIR)/.cache/uv/bin/uv:
	python3 -m venv $(CURDIR)/.cache/uv
	$(CURDIR)/.cache/uv/bin/python -m pip install --quiet uv
