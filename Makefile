# jiyue — two commands: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/jiyue.duckdb
OUT ?= out
DATA ?=

.PHONY: run test lint typecheck venv system bench clean rules-doc

$(BIN)/jiyue: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(BIN)/jiyue

venv: $(BIN)/jiyue

# the Debian packages of scripts/system-packages.txt (installed as root, else the exact command is printed)
system:
	@bash scripts/setup-system.sh

# with the demo: its zone (the national sets imported for ranking hold 540 more zones)
ZONE ?= $(if $(DATA),,371500-ETDZ)
ZOPT = $(if $(ZONE),--zone $(ZONE))

run: system venv
	@mkdir -p data $(OUT)
	@if [ -z "$(DATA)" ]; then \
	  echo "== 生成演示数据包 data/demo.gpkg"; $(BIN)/jiyue demo data/demo.gpkg || exit $$?; \
	  PKG=data/demo.gpkg; \
	else PKG="$(DATA)"; fi; \
	echo "== 校验并入库 $$PKG → $(DB)（jiyue import 自行校验，有错误则不入库）"; \
	$(BIN)/jiyue import "$$PKG" --db $(DB) --replace || exit $$?; \
	$(BIN)/jiyue summary --db $(DB) $(ZOPT)
	@echo "== 评价（TD/T 1029）→ $(OUT)/"
	$(BIN)/jiyue evaluate --db $(DB) $(ZOPT) --format json --out $(OUT)/evaluation.json
	$(BIN)/jiyue evaluate --db $(DB) $(ZOPT) --format xlsx --out $(OUT)/evaluation.xlsx
	$(BIN)/jiyue evaluate --db $(DB) $(ZOPT) --format table --out $(OUT)/evaluation.txt
	@cat $(OUT)/evaluation.txt
	@echo "== 亩均效益评价（山东2019方案）→ $(OUT)/"
	$(BIN)/jiyue mujun --db $(DB) $(ZOPT) --scheme shandong-2019 --format json --out $(OUT)/mujun.json
	$(BIN)/jiyue mujun --db $(DB) $(ZOPT) --scheme shandong-2019 --format xlsx --out $(OUT)/mujun.xlsx
	$(BIN)/jiyue mujun --db $(DB) $(ZOPT) --scheme shandong-2019 --format table --out $(OUT)/mujun.txt
	@echo "== 闲置低效用地（国土资源部令第53号）与专项整治台账 → $(OUT)/"
	$(BIN)/jiyue idle --db $(DB) $(ZOPT) --as-of 2020-12-31 --format json --out $(OUT)/idle.json
	$(BIN)/jiyue idle --db $(DB) $(ZOPT) --as-of 2020-12-31 --format xlsx --out $(OUT)/idle.xlsx
	$(BIN)/jiyue ledger inventory --db $(DB) $(ZOPT) --since 2016 --as-of 2020-12-31 --name "2016年以来出让工业用地专项排查（演示）" --exist-ok --user 演示 --format table
	$(BIN)/jiyue recovery src/jiyue/idle/examples/liaocheng-5.43ha.toml --db $(DB) --user 演示 --format table
	$(BIN)/jiyue ledger show --db $(DB) --format xlsx --out $(OUT)/ledger.xlsx
	$(BIN)/jiyue ledger stats --db $(DB) --format table
	@echo "== 安全生产隐患排查治理台账（演示专项行动）→ $(OUT)/"
	@if [ -z "$(DATA)" ]; then $(BIN)/jiyue safety demo --db $(DB) --user 演示 || exit $$?; \
	  $(BIN)/jiyue safety stats --db $(DB) --format table || exit $$?; \
	  $(BIN)/jiyue safety export --db $(DB) --out $(OUT)/safety.xlsx || exit $$?; fi
	@echo "== 标准地履约监管 → $(OUT)/"
	$(BIN)/jiyue standard-land check --db $(DB) $(ZOPT) --as-of 2020-12-31 --format json --out $(OUT)/standard-land.json
	$(BIN)/jiyue standard-land check --db $(DB) $(ZOPT) --as-of 2020-12-31 --format xlsx --out $(OUT)/standard-land.xlsx
	@echo "== 产城融合·社区生活圈（GB 50180-2018，路网步行距离）→ $(OUT)/"
	@# a package without roads, facilities or housing is told why, and make run goes on
	@$(BIN)/jiyue liveability --db $(DB) $(ZOPT) --format xlsx --out $(OUT)/liveability.xlsx \
	  && $(BIN)/jiyue liveability --db $(DB) $(ZOPT) --format table --out $(OUT)/liveability.txt \
	  && head -16 $(OUT)/liveability.txt || echo "（未做生活圈分析：原因见上）"
	@if [ -z "$(DATA)" ]; then \
	  echo "== 全国模拟监测数据（540个开发区，2020、2019年度）入库，排名与通报 → $(OUT)/"; \
	  $(BIN)/jiyue demo-national data/national-2020.gpkg --demo data/demo.gpkg || exit $$?; \
	  $(BIN)/jiyue demo-national data/national-2019.gpkg --demo data/demo.gpkg --year 2019 || exit $$?; \
	  $(BIN)/jiyue import data/national-2020.gpkg --db $(DB) --replace || exit $$?; \
	  $(BIN)/jiyue import data/national-2019.gpkg --db $(DB) --replace || exit $$?; \
	  $(BIN)/jiyue rank --db $(DB) --year 2020 --base-year 2019 --format xlsx --out $(OUT)/ranking.xlsx || exit $$?; \
	  $(BIN)/jiyue rank --db $(DB) --year 2020 --format table --out $(OUT)/ranking.txt || exit $$?; \
	  grep "聊城" $(OUT)/ranking.txt; \
	  $(BIN)/jiyue report circular --db $(DB) --year 2020 --base-year 2019 --out $(OUT)/reports || exit $$?; \
	  $(BIN)/jiyue report zone data/demo.gpkg --db $(DB) --zone $(ZONE) --out $(OUT)/reports || exit $$?; \
	  $(BIN)/jiyue whatif data/demo.gpkg --zone $(ZONE) --db $(DB) --format table --out $(OUT)/whatif.txt || exit $$?; \
	else \
	  $(BIN)/jiyue report circular --db $(DB) --out $(OUT)/reports || exit $$?; \
	fi

	@echo "== 网页服务（Ctrl+C 结束）"
	$(BIN)/jiyue serve --db $(DB) --demo-users

# lint and type-check first (seconds), then the tests (minutes)
test: system venv lint typecheck
	$(BIN)/python -m pytest

# ruff on everything (pyproject.toml [tool.ruff])
lint: venv
	$(BIN)/ruff check src tests bench

# mypy on src/ (pyproject.toml [tool.mypy])
typecheck: venv
	$(BIN)/mypy

# docs/rules.md, the rule catalogue, from the built-in rule files (a test checks it is current)
rules-doc: venv
	$(BIN)/python -m jiyue.rulefiles.catalogue --out docs/rules.md

bench: venv
	$(BIN)/python bench/run.py

clean:
	rm -rf data out .pytest_cache .mypy_cache .ruff_cache
