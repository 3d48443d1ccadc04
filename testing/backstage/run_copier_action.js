// Runs template.yaml's render step through the real fetch:copier action
// (@diamondlightsource/plugin-scaffolder-backend-module-copier), the way Backstage's scaffolder
// does it, without the rest of a backend:
//
// 1. the form answers must satisfy every parameters page (the backend's check, `jsonschema`);
// 2. the step's input is rendered as NunjucksWorkflowRunner renders it for the one kind of
//    expression template.yaml uses: a string that is exactly `${{ parameters.NAME }}` becomes
//    the answer with its JSON type, and disappears when there is no answer;
// 3. the rendered input must satisfy the action's input schema (the runner's check);
// 4. the action's handler runs with a minimal context: workspace, logger, log stream, temporary
//    directories. Its URL reader reads local `file://` URLs only (the handler downloads the URL,
//    then passes the URL itself to copier, which clones it).
//
// stdin: {"step": {...}, "parameters": {...}, "pages": [...], "workspace": path,
//         "stallSeconds": n, "result": path}
// The result file gets {"status": "done" | "refused" | "failed" | "stalled", "errors": [...],
// "input": {...}, "log": "..."}. "stalled": the handler had not finished after stallSeconds
// (copier waiting for an answer); this process then exits, and the caller ends its group.
// Temporary directories go to $TMPDIR, which the caller cleans.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { PassThrough } = require('stream');
const { validate } = require('jsonschema');
const { ConfigReader } = require('@backstage/config');
const { ScmIntegrations } = require('@backstage/integration');
const {
  createFetchCopierAction,
} = require('@diamondlightsource/plugin-scaffolder-backend-module-copier');

const SINGLE_PARAMETER = /^\$\{\{\s*parameters\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

function render(input, parameters) {
  // JSON.parse's reviver drops a key whose value comes back undefined, as Backstage's does.
  return JSON.parse(JSON.stringify(input), (_key, value) => {
    if (typeof value !== 'string' || !value.includes('${{')) {
      return value;
    }
    const match = SINGLE_PARAMETER.exec(value);
    if (!match) {
      throw new Error(`this runner only renders \${{ parameters.NAME }}, not ${value}`);
    }
    return parameters[match[1]];
  });
}

const localReader = {
  async readTree(url) {
    const source = new URL(url);
    if (source.protocol !== 'file:') {
      throw new Error(`this reader only reads file:// URLs, not ${url}`);
    }
    return {
      async dir({ targetDir }) {
        fs.cpSync(source.pathname, targetDir, { recursive: true });
        return targetDir;
      },
    };
  },
};

async function main() {
  const request = JSON.parse(fs.readFileSync(0, 'utf8'));
  const result = { status: 'failed', errors: [], input: null, log: '' };
  const finish = status => {
    result.status = status;
    fs.writeFileSync(request.result, JSON.stringify(result));
  };

  result.errors = request.pages.flatMap(page =>
    validate(request.parameters, page).errors.map(String),
  );
  if (result.errors.length) {
    return finish('refused');
  }

  const action = createFetchCopierAction({
    reader: localReader,
    integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
  });
  result.input = render(request.step.input, request.parameters);
  result.errors = validate(result.input, action.schema.input).errors.map(String);
  if (result.errors.length) {
    return finish('refused');
  }

  const logStream = new PassThrough();
  logStream.on('data', chunk => {
    result.log += chunk.toString();
  });
  const log = level => message => {
    result.log += `[${level}] ${message}\n`;
  };
  const logger = {
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    debug: log('debug'),
    child() {
      return this;
    },
  };
  const stall = setTimeout(() => {
    finish('stalled');
    process.exit(3);
  }, request.stallSeconds * 1000);
  try {
    await action.handler({
      input: result.input,
      logger,
      logStream,
      workspacePath: request.workspace,
      secrets: {},
      task: { id: 'sessionwise-test' },
      output() {},
      async checkpoint({ fn }) {
        return fn();
      },
      async createTemporaryDirectory() {
        return fs.mkdtempSync(path.join(os.tmpdir(), 'scaffolder-'));
      },
    });
    finish('done');
  } catch (error) {
    result.errors = [String(error.message)];
    finish('failed');
  } finally {
    clearTimeout(stall);
  }
}

main();
