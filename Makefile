# Circles: developer entry points. `make help` lists them.
# The work is done by the scripts in infra/; this file only names it.

# Repo root, wherever make is run from (sam build runs this Makefile with
# another working directory).
ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))

# `make token USER=alice`; without it, $USER from the environment, else alice.
USER ?= alice
# `make invoke FN=create-group EVENT=events/create-group.json`
FN ?=
EVENT ?=

.DEFAULT_GOAL := help

.PHONY: help install run stop test test-scale bench fuzz build package lint validate token seed invoke clean docs-install docs-check

help: ## List the targets
	@echo 'Targets:'
	@grep -E '^[a-zA-Z_% -]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN { FS = ":.*## " } { printf "  %-18s %s\n", $$1, $$2 }'

install: ## Install DynamoDB Local, moto, SAM CLI and staticcheck into .local/ (automatic in the other targets)
	@$(ROOT)/infra/stack.sh install

run: ## Run the whole system locally: DynamoDB Local :8000, moto :4566, API on :3000 (PORT); Ctrl-C stops it
	@$(ROOT)/infra/run.sh

stop: ## Stop the stack in .local/run (e.g. the one `make invoke` left running)
	@$(ROOT)/infra/stack.sh stop $(ROOT)/.local/run

test: ## sam validate --lint, go mod tidy -diff, go vet, staticcheck, go test -race against a throwaway local stack
	@$(ROOT)/infra/test.sh test

fuzz: ## Go fuzz targets for FUZZTIME each (30s), then Schemathesis on the local API for API_FUZZ_TIME (300s); FUZZ=<regexp> picks
	@$(ROOT)/infra/fuzz.sh

test-scale: ## the fan-out and inbox acceptance tests at full size (10,000 holders, 6 x 1,000 users, a 1,000-recipient chunk, TTL of 1,000 entries), about 10 min
	@$(ROOT)/infra/test.sh scale

bench: ## Go benchmarks against a throwaway local stack
	@$(ROOT)/infra/test.sh bench

package: ## sam build (makefile builds, no Docker) into .aws-sam/build, then check every bootstrap is a static linux/arm64 ELF
	@$(ROOT)/infra/package.sh

build: ## go build ./...
	cd $(ROOT) && go build ./...

lint validate: ## sam validate --lint on template.yaml
	@$(ROOT)/infra/stack.sh install
	cd $(ROOT) && SAM_CLI_TELEMETRY=0 AWS_REGION=us-east-1 \
	  .local/venv/bin/sam validate --lint --template template.yaml

token: ## Print a local API token: make token USER=alice (with iss/aud from LOCAL_JWT_ISSUER/LOCAL_JWT_AUDIENCE when set)
	@cd $(ROOT) && go run ./infra/local token -user $(USER)

docs-install: ## Install the API reference's renderer (swagger-ui-dist, npm) into .local/docs (make run does)
	@$(ROOT)/infra/docs.sh install

docs-check: ## Open /docs in headless Chromium (Debian's, installed if missing), screenshot it to .local/docs/docs.png; fail if no operation renders or the browser reports an error
	@$(ROOT)/infra/docs.sh check

# `make seed` against `make run`'s API; against a deployment:
# `make seed API=https://… TOKEN_CMD='./my-token.sh'` (TOKEN_CMD gets the user ID
# as its last argument and prints a token for that user).
seed: ## Load the fixtures the sample events name, through the API (make run's, or API=https://… TOKEN_CMD=…); idempotent
	@cd $(ROOT) && go run ./infra/seed

invoke: ## Run one function's handler on an event: make invoke FN=create-group EVENT=events/create-group.json
	@$(ROOT)/infra/invoke.sh "$(FN)" "$(EVENT)"

clean: ## Stop the .local/run stack and remove its state and .aws-sam
	@$(ROOT)/infra/stack.sh stop $(ROOT)/.local/run
	rm -rf $(ROOT)/.local/run $(ROOT)/.aws-sam

# Called by `sam build` for every function (Metadata: BuildMethod: makefile):
# build-CreateGroupFunction -> functions/create-group -> $(ARTIFACTS_DIR)/bootstrap.
build-%Function:
	@test -n "$(ARTIFACTS_DIR)" || { echo 'error: ARTIFACTS_DIR is not set (sam build sets it)' >&2; exit 1; }
	$(ROOT)/infra/build-function.sh $*Function "$(ARTIFACTS_DIR)"
