# `make demo` runs the main job, `make test` runs every test. Both create and
# reuse the virtual environment in .venv and install what they need.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL := 3

.PHONY: demo test unit notebooks bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m tools.demo --out outputs

# Two test processes share the two cores: TensorFlow gets one thread in each (and in the notebooks' kernels and
# every process a test starts) instead of two pools competing for both cores. The notebooks run 5-10 % faster
# that way, and their outputs are the same.
ONE_THREAD := TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1

test: $(STAMP)
	$(ONE_THREAD) $(PY) -m pytest -p no:cacheprovider -n 2 --dist loadfile --no-loadscope-reorder

unit: $(STAMP)
	$(ONE_THREAD) $(PY) -m pytest -n 2 --dist loadfile --no-loadscope-reorder tests

notebooks: $(STAMP)
	$(PY) -m tools.nbrun

bench: $(STAMP)
	$(PY) benchmarks/bench_pipeline.py
	$(PY) benchmarks/bench_trial.py
	$(PY) benchmarks/bench_distributed.py
	$(PY) benchmarks/bench_augment.py

clean:
	rm -rf $(VENV) outputs
